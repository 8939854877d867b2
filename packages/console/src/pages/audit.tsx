/** The audit trail: filter by time, user, action and resource; page on; verify the chain. */
import { useState } from 'preact/hooks';
import type { Answer } from '../api.js';
import { call, TRAIL } from '../api.js';
import { ErrorMessage, Field, Loading, Time, useAction, useLoad } from '../ui.js';

/** `2026-12-06T10:00` from a datetime-local field → the API's UTC form. */
function utc(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function AuditPage() {
  const [form, setForm] = useState({ start: '', end: '', user: '', action: '', resource: '' });
  const [query, setQuery] = useState(form);
  const [tokens, setTokens] = useState<string[]>([]);
  const events = useLoad(() => {
    const attributes = [
      ['User', query.user],
      ['EventName', query.action],
      ['ResourceName', query.resource],
    ].filter(([, value]) => value !== '');
    const params: Record<string, string | undefined> = {
      StartTime: utc(query.start),
      EndTime: utc(query.end),
      MaxResults: '50',
      NextToken: tokens.at(-1),
    };
    attributes.forEach(([key, value], index) => {
      params[`LookupAttribute.${index + 1}.Key`] = key;
      params[`LookupAttribute.${index + 1}.Value`] = value;
    });
    return call('LookupEvents', params, TRAIL);
  }, [query, tokens]);
  const verify = useAction();
  const [report, setReport] = useState<Answer | undefined>();
  const set = (field: keyof typeof form) => (value: string) => {
    setForm((f) => ({ ...f, [field]: value }));
  };
  const list = (events.data?.Events as Answer[] | undefined) ?? [];
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit trail</h1>
      <form
        class="filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setTokens([]);
          setQuery(form);
        }}
      >
        <Field label="From" type="datetime-local" value={form.start} onInput={set('start')} />
        <Field label="Until" type="datetime-local" value={form.end} onInput={set('end')} />
        <Field label="User" value={form.user} onInput={set('user')} />
        <Field label="Action" value={form.action} onInput={set('action')} />
        <Field label="Secret or key" value={form.resource} onInput={set('resource')} />
        <button type="submit">Filter</button>
      </form>
      <div class="inline">
        <button
          type="button"
          disabled={verify.busy}
          onClick={() =>
            void verify.run(async () => {
              setReport(await call('VerifyEvents', {}, TRAIL));
            })
          }
        >
          Verify chain
        </button>
        {report ? (
          <p role="status" class={report.Valid ? 'ok' : 'error'}>
            {report.Valid
              ? `Chain intact: ${String(report.CheckedEvents)} events checked, last ${String(report.LastSeq)}.`
              : `Chain broken at event ${String(report.BrokenEvent?.Seq)}: ${String(report.BrokenEvent?.Reason)}`}
          </p>
        ) : null}
      </div>
      <ErrorMessage error={verify.error ?? events.error} />
      {events.loading && !events.data ? <Loading what="events" /> : null}
      <table>
        <caption class="visually-hidden">Audit events, oldest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">User</th>
            <th scope="col">Action</th>
            <th scope="col">Phase</th>
            <th scope="col">Resource</th>
            <th scope="col">Version</th>
            <th scope="col">Result</th>
            <th scope="col">Via</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {list.map((event) => (
            <tr key={event.eventId}>
              <td>
                <Time value={event.eventTime} />
              </td>
              <td>{event.userIdentity?.userName}</td>
              <td>{event.eventName}</td>
              <td>{event.eventPhase}</td>
              <td>{event.resourceName}</td>
              <td>{event.versionId}</td>
              <td>{event.resultCode}</td>
              <td>{event.eventSource}</td>
              <td>{event.sourceIpAddress}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav class="pager" aria-label="Pages">
        <button
          type="button"
          disabled={tokens.length === 0}
          onClick={() => {
            setTokens((t) => t.slice(0, -1));
          }}
        >
          Previous page
        </button>
        <button
          type="button"
          disabled={!events.data?.NextToken}
          onClick={() => {
            setTokens((t) => [...t, String(events.data?.NextToken)]);
          }}
        >
          Next page
        </button>
      </nav>
    </section>
  );
}
