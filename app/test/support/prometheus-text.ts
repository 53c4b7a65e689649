// parse-prometheus-text-format ships no types; the shape of what it returns (prom2json's).
import { createRequire } from 'node:module';

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  readonly metrics: ReadonlyArray<{
    readonly labels?: Record<string, string>;
    readonly value?: string;
    readonly buckets?: Record<string, string>;
    readonly count?: string;
    readonly sum?: string;
  }>;
}

/** Parses Prometheus text exposition format; throws on text that does not follow it. */
export const parsePrometheusText = createRequire(__filename)('parse-prometheus-text-format') as (text: string) => MetricFamily[];
