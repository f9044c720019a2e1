// Shapes shared by the Cancel Call operation's parts.
import type { IAdditionalCredentialOptions, IDataObject } from 'n8n-workflow';

import type { RunPlan } from '../../../../../core/huskyvoice_core';

/** How requests of one credential of the run are sent. */
export interface CredentialTransport {
	/** Passed to `httpRequestWithAuthentication` so n8n does not decrypt again per request. */
	additional: IAdditionalCredentialOptions | undefined;
}

/** The run to hand to the core, and what the transport and the errors need besides. */
export interface PlannedRun {
	plan: RunPlan;
	/** By the plan's credential index. */
	transport: CredentialTransport[];
	/** Per item: its input json, when its options ask to include the input fields. */
	inputFields: Array<IDataObject | undefined>;
}
