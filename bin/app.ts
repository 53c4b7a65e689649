#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ConfigError, loadConfig } from '../lib/config';
import { addPolicyPacks, runWithPolicyGate } from '../lib/policy';
import { buildReferenceApp } from '../lib/reference-app';

const app = new App();
try {
  // The CDK CLI runs the app in the folder of cdk.json: shipshape.config.json is read from there.
  buildReferenceApp(app, loadConfig(app.node, { directory: process.cwd() }));
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
addPolicyPacks(app);
// Unacknowledged findings: one report, exit code 1, no stack trace.
runWithPolicyGate(app);
