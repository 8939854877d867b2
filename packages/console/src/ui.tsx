/** Small building blocks every page uses: loading state, errors, labelled fields, confirmation, paging. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';

/** Loads with `load` whenever `deps` change; `reload` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => {
        if (live) setState({ data, loading: false });
      },
      (error: unknown) => {
        if (live) setState({ error, loading: false });
      },
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => {
    setTick((t) => t + 1);
  }, []);
  return { ...state, reload };
}

/** Runs an action, keeping its error for display and its busy state for the button. */
export function useAction() {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const run = useCallback(async (work: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      return true;
    } catch (failure) {
      setError(failure);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return {
    error,
    busy,
    run,
    clear: () => {
      setError(undefined);
    },
  };
}

export function ErrorMessage({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null;
  const text =
    error instanceof ApiError
      ? `${error.code}: ${error.message}`
      : error instanceof Error
        ? error.message
        : 'Something went wrong.';
  return (
    <p class="error" role="alert">
      {text}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}

let fieldCounter = 0;
/** A labelled control: the label is tied to the input by id, so screen readers and clicks find it. */
export function Field(props: {
  label: string;
  value: string;
  onInput: (value: string) => void;
  type?: 'text' | 'password' | 'number' | 'url' | 'datetime-local';
  multiline?: boolean;
  required?: boolean;
  placeholder?: string;
  hint?: string;
  autoComplete?: string;
  name?: string;
}) {
  const id = useRef(`field-${++fieldCounter}`).current;
  const hintId = `${id}-hint`;
  const common = {
    id,
    name: props.name ?? id,
    value: props.value,
    required: props.required,
    placeholder: props.placeholder,
    'aria-describedby': props.hint ? hintId : undefined,
    onInput: (event: Event) => {
      props.onInput((event.currentTarget as HTMLInputElement).value);
    },
  };
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.multiline ? (
        <textarea {...common} rows={8} spellcheck={false} />
      ) : props.type === 'password' ? (
        <input {...common} type="password" autocomplete={props.autoComplete ?? 'off'} />
      ) : (
        <input
          {...common}
          // Preact's typings discriminate inputs by a literal `type`; any of Field's types is valid here.
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
          type={(props.type ?? 'text') as 'text'}
          autocomplete={props.autoComplete ?? 'off'}
        />
      )}
      {props.hint ? (
        <small id={hintId} class="muted">
          {props.hint}
        </small>
      ) : null}
    </div>
  );
}

export function Checkbox(props: { label: string; checked: boolean; onChange: (checked: boolean) => void }) {
  const id = useRef(`check-${++fieldCounter}`).current;
  return (
    <div class="check">
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        onChange={(event) => {
          props.onChange(event.currentTarget.checked);
        }}
      />
      <label for={id}>{props.label}</label>
    </div>
  );
}

/**
 * A modal confirmation (the native <dialog>: focus is trapped and Escape cancels). `children` says
 * what will happen; nothing happens until "Confirm".
 */
export function Confirm(props: {
  title: string;
  open: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  confirmLabel?: string;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onCancel={props.onCancel}>
      <h2 id="confirm-title">{props.title}</h2>
      <div>{props.children}</div>
      <div class="actions">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="button" class="primary" onClick={props.onConfirm}>
          {props.confirmLabel ?? 'Confirm'}
        </button>
      </div>
    </dialog>
  );
}

export function Pager(props: {
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
}) {
  const last = Math.max(1, Math.ceil(props.total / props.pageSize));
  return (
    <nav class="pager" aria-label="Pages">
      <button
        type="button"
        disabled={props.page <= 1}
        onClick={() => {
          props.onPage(props.page - 1);
        }}
      >
        Previous page
      </button>
      <span>
        Page {props.page} of {last} ({props.total} in all)
      </span>
      <button
        type="button"
        disabled={props.page >= last}
        onClick={() => {
          props.onPage(props.page + 1);
        }}
      >
        Next page
      </button>
    </nav>
  );
}

/** The API's `YYYY-MM-DDThh:mm:ssZ` in the reader's locale, with the UTC original on hover. */
export function Time({ value }: { value: string | undefined }) {
  if (!value) return <span class="muted">—</span>;
  const date = new Date(value);
  return <time dateTime={value}>{Number.isNaN(date.getTime()) ? value : date.toLocaleString()}</time>;
}

export function Stages({ stages }: { stages: readonly string[] }) {
  if (stages.length === 0) return <span class="muted">no label (deprecated)</span>;
  return (
    <span class="stages">
      {stages.map((stage) => (
        <span key={stage} class={`stage stage-${stage.toLowerCase()}`}>
          {stage}
        </span>
      ))}
    </span>
  );
}
