/**
 * The CPU / memory pairs Fargate accepts (Linux), per the ECS task size table:
 * memory in MiB, from `min` to `max` in steps of `step`.
 */
const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, { min: number; max: number; step: number }>> = {
  256: { min: 512, max: 2048, step: 512 }, // 0.5, 1, 2 GB (the step gives 1.5 GB too, which Fargate refuses)
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
  8192: { min: 16384, max: 61440, step: 4096 },
  16384: { min: 32768, max: 122880, step: 8192 },
};

/** The CPU units Fargate accepts (Linux), smallest first: 256 is 0.25 vCPU. */
export const FARGATE_CPUS: readonly number[] = Object.keys(FARGATE_MEMORY_BY_CPU).map(Number);

/** The memory sizes (MiB) Fargate accepts with `cpu` units, or [] if `cpu` is not a Fargate size. */
export function fargateMemoryOptions(cpu: number): number[] {
  const range = FARGATE_MEMORY_BY_CPU[cpu];
  if (!range) return [];
  const sizes: number[] = [];
  for (let memory = range.min; memory <= range.max; memory += range.step) sizes.push(memory);
  return cpu === 256 ? sizes.filter((memory) => memory !== 1536) : sizes;
}

/** Throws unless `cpu` / `memoryMiB` is a task size Fargate runs; the message lists the valid choices. */
export function validateFargateSize(cpu: number, memoryMiB: number, owner: string): void {
  const cpus = Object.keys(FARGATE_MEMORY_BY_CPU).join(' | ');
  const options = fargateMemoryOptions(cpu);
  if (options.length === 0) {
    throw new Error(`${owner}: cpu must be one of ${cpus} (got ${cpu})`);
  }
  if (!options.includes(memoryMiB)) {
    throw new Error(
      `${owner}: memoryLimitMiB ${memoryMiB} is not a Fargate size for cpu ${cpu}; allowed: ${summarize(options)}`,
    );
  }
}

function summarize(options: number[]): string {
  return options.length <= 6 ? options.join(' | ') : `${options[0]} to ${options[options.length - 1]} in steps of ${options[1] - options[0]}`;
}
