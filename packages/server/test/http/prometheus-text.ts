/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), for tests: every line must
 * be empty, a comment, `# HELP`, `# TYPE` or a sample of a declared family; names and label names must be
 * valid; label values must be properly quoted and escaped; values must be numbers; a histogram's
 * buckets must be cumulative and end in `le="+Inf"` equal to its `_count`. Any deviation throws.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: readonly MetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];
const SUFFIXES: Readonly<Record<MetricType, readonly string[]>> = {
  counter: ['', '_total'],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, MetricFamily>();
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, index) => {
    const where = `line ${index + 1}: ${line}`;
    if (line === '') return; // the format ignores empty lines
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
      if (!match) return; // a plain comment
      const [, kind, name = '', rest = ''] = match;
      if (!METRIC_NAME.test(name)) throw new Error(`bad metric name at ${where}`);
      const family = families.get(name);
      if (kind === 'HELP') {
        if (family) throw new Error(`HELP after the family began at ${where}`);
        families.set(name, { name, type: 'untyped', help: unescapeHelp(rest), samples: [] });
      } else {
        if (!TYPES.includes(rest as MetricType)) throw new Error(`unknown type at ${where}`);
        if (family && family.samples.length > 0) throw new Error(`TYPE after samples at ${where}`);
        families.set(name, { name, help: family?.help ?? '', samples: [], type: rest as MetricType });
      }
      return;
    }
    const sample = parseSample(line, where);
    const family = familyOf(families, sample.name);
    if (!family) throw new Error(`sample of an undeclared family at ${where}`);
    family.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function familyOf(families: Map<string, MetricFamily>, sampleName: string): MetricFamily | undefined {
  for (const family of families.values()) {
    for (const suffix of SUFFIXES[family.type]) {
      if (family.name + suffix === sampleName) return family;
    }
  }
  return undefined;
}

function parseSample(line: string, where: string): Sample {
  const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)( -?\d+)?$/.exec(line);
  if (!match) throw new Error(`bad sample at ${where}`);
  const [, name = '', labelText, valueText = ''] = match;
  return {
    name,
    labels: labelText === undefined ? {} : parseLabels(labelText, where),
    value: parseValue(valueText, where),
  };
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 1;
  while (i < text.length - 1) {
    const eq = text.indexOf('=', i);
    if (eq === -1) throw new Error(`bad labels at ${where}`);
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name)) throw new Error(`bad label name "${name}" at ${where}`);
    if (Object.hasOwn(labels, name)) throw new Error(`label "${name}" twice at ${where}`);
    if (text[eq + 1] !== '"') throw new Error(`unquoted label value at ${where}`);
    let value = '';
    let j = eq + 2;
    for (; ; j++) {
      const c = text[j];
      if (c === undefined) throw new Error(`unterminated label value at ${where}`);
      if (c === '"') break;
      if (c === '\\') {
        const next = text[++j];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else throw new Error(`bad escape in label value at ${where}`);
      } else value += c;
    }
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
    else if (i !== text.length - 1) throw new Error(`bad label separator at ${where}`);
  }
  return labels;
}

/**
 * A float as Prometheus reads one (Go's ParseFloat): digits, or NaN and ±Inf in any letter case —
 * prom-client writes `Nan` for a gauge with no value yet (its lib/util.js), which Prometheus accepts.
 */
function parseValue(text: string, where: string): number {
  if (/^\+?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad value at ${where}`);
  return Number(text);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(n|\\)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** Buckets per label set are cumulative, end at +Inf, and +Inf equals `_count`. */
function checkHistogram(family: MetricFamily): void {
  const series = new Map<string, { buckets: [number, number][]; count?: number }>();
  const keyOf = (labels: Readonly<Record<string, string>>) =>
    JSON.stringify(
      Object.entries(labels)
        .filter(([k]) => k !== 'le')
        .sort(),
    );
  for (const sample of family.samples) {
    const key = keyOf(sample.labels);
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (sample.name.endsWith('_bucket')) {
      const le = sample.labels.le;
      if (le === undefined) throw new Error(`${family.name}: bucket without le`);
      entry.buckets.push([parseValue(le, family.name), sample.value]);
    } else if (sample.name.endsWith('_count')) entry.count = sample.value;
  }
  for (const [key, { buckets, count }] of series) {
    const last = buckets.at(-1);
    if (!last || last[0] !== Infinity) throw new Error(`${family.name} ${key}: no +Inf bucket`);
    for (let i = 1; i < buckets.length; i++) {
      const [bound, value] = buckets[i]!;
      const [previousBound, previousValue] = buckets[i - 1]!;
      if (bound <= previousBound || value < previousValue)
        throw new Error(`${family.name} ${key}: buckets not cumulative`);
    }
    if (count !== last[1]) throw new Error(`${family.name} ${key}: +Inf bucket is not _count`);
  }
}

/** The value of the one sample with exactly these labels (among others it may carry), or 0. */
export function valueOf(
  families: Map<string, MetricFamily>,
  sampleName: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  const family = familyOf(families, sampleName);
  const matches = (family?.samples ?? []).filter(
    (s) => s.name === sampleName && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return matches.reduce((sum, s) => sum + s.value, 0);
}
