import { useTopics } from '../api/endpoints';
import { SelectField, TextField } from './text-field';

interface TopicFieldProps {
  readonly label?: string;
  readonly value: string;
  readonly onChange: (topic: string) => void;
  /** The text of the empty choice ("All topics"); without it a topic must be chosen. */
  readonly anyLabel?: string;
  readonly error?: string | undefined;
  readonly name?: string;
}

/**
 * A topic: a select of the catalogue, or a text box when the catalogue cannot be read (a session
 * without access to it) or is empty.
 */
export function TopicField({
  label = 'Topic',
  value,
  onChange,
  anyLabel,
  error,
  name = 'topic',
}: TopicFieldProps) {
  const topics = useTopics();
  if (topics.isPending) {
    return (
      <SelectField label={label} name={name} value="" disabled onChange={() => undefined}>
        <option value="">Loading topics…</option>
      </SelectField>
    );
  }
  const catalogue = topics.data ?? [];
  if (catalogue.length === 0) {
    return (
      <TextField
        label={label}
        name={name}
        value={value}
        error={error}
        placeholder="post.created"
        spellCheck={false}
        autoComplete="off"
        onChange={(event) => onChange(event.target.value.trim())}
      />
    );
  }
  // A value from elsewhere (a link, an older catalogue) stays choosable.
  const choices = value === '' || catalogue.includes(value) ? catalogue : [value, ...catalogue];
  return (
    <SelectField
      label={label}
      name={name}
      value={value}
      error={error}
      required={anyLabel === undefined}
      onChange={(event) => onChange(event.target.value)}
    >
      {anyLabel !== undefined ? <option value="">{anyLabel}</option> : null}
      {anyLabel === undefined && value === '' ? (
        <option value="" disabled>
          Choose a topic
        </option>
      ) : null}
      {choices.map((topic) => (
        <option key={topic} value={topic}>
          {topic}
        </option>
      ))}
    </SelectField>
  );
}
