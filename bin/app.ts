#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ConfigError, loadConfig } from '../lib/config';
import { PolicyGateError, addPolicyPacks, synthWithPolicyGate } from '../lib/policy';
import { buildReferenceApp } from '../lib/reference-app';

const app = new App();
try {
  buildReferenceApp(app, loadConfig(app.node));
  addPolicyPacks(app);
  synthWithPolicyGate(app);
} catch (error) {
  if (error instanceof ConfigError || error instanceof PolicyGateError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
