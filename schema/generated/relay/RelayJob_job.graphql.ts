/**
 * @generated SignedSource<<e239263204edd2bde521fb2c4a797702>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import { ReaderFragment } from 'relay-runtime';
export type JobCommand = "DELALL" | "DELID" | "LISTID" | "PICSI" | "SAVEID" | "SETID" | "SWAPID" | "%future added value";
export type JobStatus = "CANCELLED" | "COMPLETED" | "FAILED" | "QUEUED" | "STARTED" | "%future added value";
import { FragmentRefs } from "relay-runtime";
export type RelayJob_job$data = {
  readonly command: JobCommand;
  readonly id: string;
  readonly status: JobStatus;
  readonly " $fragmentType": "RelayJob_job";
};
export type RelayJob_job$key = {
  readonly " $data"?: RelayJob_job$data;
  readonly " $fragmentSpreads": FragmentRefs<"RelayJob_job">;
};

import RelayJobRefetchQuery_graphql from './RelayJobRefetchQuery.graphql';

const node: ReaderFragment = {
  "argumentDefinitions": [],
  "kind": "Fragment",
  "metadata": {
    "refetch": {
      "connection": null,
      "fragmentPathInResult": [
        "node"
      ],
      "operation": RelayJobRefetchQuery_graphql,
      "identifierInfo": {
        "identifierField": "id",
        "identifierQueryVariableName": "id"
      }
    }
  },
  "name": "RelayJob_job",
  "selections": [
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "id",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "command",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "status",
      "storageKey": null
    }
  ],
  "type": "Job",
  "abstractKey": null
};

(node as any).hash = "eb92b71d4f7a684ed9b5db201c8ef757";

export default node;
