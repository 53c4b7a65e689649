import { fargateMemoryOptions, validateFargateSize } from '../../../constructs/service';

describe('Fargate task sizes', () => {
  test('0.25 vCPU takes 0.5, 1 or 2 GB only', () => {
    expect(fargateMemoryOptions(256)).toEqual([512, 1024, 2048]);
  });

  test('4 vCPU takes 8 to 30 GB in 1 GB steps', () => {
    const options = fargateMemoryOptions(4096);
    expect([options[0], options[options.length - 1], options.length]).toEqual([8192, 30720, 23]);
  });

  test('an unknown CPU has no memory options and is refused with the list of CPUs', () => {
    expect(fargateMemoryOptions(3000)).toEqual([]);
    expect(() => validateFargateSize(3000, 4096, 'X')).toThrow(/X: cpu must be one of 256 \| 512 \| 1024 \| 2048 \| 4096 \| 8192 \| 16384 \(got 3000\)/);
  });

  test('a pair Fargate runs passes', () => {
    expect(() => validateFargateSize(1024, 3072, 'X')).not.toThrow();
  });

  test('a memory outside the CPU range is refused with the range', () => {
    expect(() => validateFargateSize(1024, 1024, 'X')).toThrow(/memoryLimitMiB 1024 is not a Fargate size for cpu 1024; allowed: 2048 to 8192 in steps of 1024/);
  });
});
