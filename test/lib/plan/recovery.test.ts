import { alarmsWithEventRollback, recoveryFigures } from '../../../lib/plan/recovery';
import type { CfnTemplate } from '../../../lib/plan/template';
import { fixtureTemplate } from './fixtures';

const BACK = 'a bad release is detected and traffic is back on the old revision';
const BACK_ONE_MINUTE = 'a bad release is detected on one-minute metrics and traffic is back on the old revision';

/** The fixture with an AlarmRollback-shaped rule: the alarms' state changes to ALARM invoke a function. */
function withAlarmEventRule(overrides: { state?: string; resources?: unknown[] | 'any alarm'; target?: string } = {}): CfnTemplate {
  const resources = overrides.resources ?? [{ 'Fn::GetAtt': ['Fast', 'Arn'] }, { 'Fn::GetAtt': ['Slow', 'Arn'] }];
  const base = fixtureTemplate();
  return {
    ...base,
    Resources: {
      ...base.Resources,
      RollbackFunction: { Type: 'AWS::Lambda::Function' },
      Queue: { Type: 'AWS::SQS::Queue' },
      RollbackRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          State: overrides.state ?? 'ENABLED',
          EventPattern: {
            source: ['aws.cloudwatch'],
            'detail-type': ['CloudWatch Alarm State Change'],
            ...(resources === 'any alarm' ? {} : { resources }),
            detail: { state: { value: ['ALARM'] } },
          },
          Targets: [{ Id: 'Target0', Arn: { 'Fn::GetAtt': [overrides.target ?? 'RollbackFunction', 'Arn'] } }],
        },
      },
    },
  };
}

const figure = (name: string, template: CfnTemplate) => recoveryFigures(template).find((f) => f.figure === name);

describe('rollback figures follow the path that stops the deployment', () => {
  test('without an alarm rule, ECS polls: 10 s alarm 70 s, the 60 s target missed by 10 s', () => {
    expect(figure(BACK, fixtureTemplate())).toMatchObject({ seconds: 70, from: expect.stringContaining('= 70 s; target 60 s: missed by 10 s (ECS polls the alarm;') });
  });

  test('with the alarm event rule: 10 s alarm 50 s, the 60 s target met; ECS polling named as the fallback', () => {
    const f = figure(BACK, withAlarmEventRule());
    expect(f?.seconds).toBe(50);
    expect(f?.from).toMatch(/^app-fast: 1 x 10 s \+ 10 s publish \+ 10 s evaluation \+ 5 s event delivery \+ 5 s rollback function \+ 10 s ECS rollback and flip = 50 s; target 60 s: met, 10 s spare/);
    expect(f?.from).toContain("ECS's own alarm polling, the fallback: 70 s");
    expect(f?.from).toMatch(/bake 10 min$/);
  });

  test('the one-minute metrics get their own figure and target: 3 of 5 minutes take 320 s, missed', () => {
    expect(figure(BACK_ONE_MINUTE, withAlarmEventRule())).toMatchObject({ seconds: 320, from: expect.stringMatching(/^app-slow: 3 x 60 s .* = 320 s; target 180 s: missed by 140 s/) });
  });

  test('a disabled rule, a rule for other alarms, or a rule with no function target changes nothing', () => {
    expect(figure(BACK, withAlarmEventRule({ state: 'DISABLED' }))?.seconds).toBe(70);
    expect(figure(BACK, withAlarmEventRule({ resources: [{ 'Fn::GetAtt': ['Paging', 'Arn'] }] }))?.seconds).toBe(70);
    expect(figure(BACK, withAlarmEventRule({ target: 'Queue' }))?.seconds).toBe(70);
  });

  test('alarms are found by GetAtt of their ARN or a literal ARN; a pattern without resources matches them all', () => {
    expect([...alarmsWithEventRollback(withAlarmEventRule())]).toEqual(['app-fast', 'app-slow']);
    expect([...alarmsWithEventRollback(withAlarmEventRule({ resources: ['arn:aws:cloudwatch:eu-west-1:111122223333:alarm:app-slow'] }))]).toEqual(['app-slow']);
    expect([...alarmsWithEventRollback(withAlarmEventRule({ resources: 'any alarm' }))].sort()).toEqual(['app-cpu', 'app-fast', 'app-slow']);
  });
});
