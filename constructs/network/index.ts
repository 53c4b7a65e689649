export * from './production-network';
export { DEFAULT_NAT_INSTANCE_TYPE, NatDevice } from './nat-instances';
export * from './nat-recovery-notifications';
