/**
 * Generic options (srvoptions, ftoptions, umoptions): ordered key/value pairs, each key
 * once, changed by ALTER … OPTIONS (ADD|SET|DROP …) with PostgreSQL's rules. Which keys
 * a party understands is the party's business; the catalog keeps them as given.
 */
import type { OptionList } from './catalog-entries.js';
import { catalogError } from './catalog-errors.js';
import type { OptionChange } from './catalog-requests.js';
import { checkName, checkText } from './object-names.js';

export function checkOptions(options: OptionList | undefined): OptionList {
  const seen = new Set<string>();
  const out: (readonly [string, string])[] = [];
  for (const [key, value] of options ?? []) {
    checkName(key);
    checkText(value);
    if (seen.has(key)) throw catalogError.duplicateOption(key);
    seen.add(key);
    out.push([key, value]);
  }
  return out;
}

export function applyOptionChanges(current: OptionList, changes: readonly OptionChange[]): OptionList {
  const out = current.map(([key, value]) => [key, value] as [string, string]);
  for (const change of changes) {
    checkName(change.key);
    const index = out.findIndex(([key]) => key === change.key);
    switch (change.action) {
      case 'add':
        if (index >= 0) throw catalogError.duplicateOption(change.key);
        out.push([change.key, checkText(change.value)]);
        break;
      case 'set':
        if (index < 0) throw catalogError.undefinedOption(change.key);
        out[index] = [change.key, checkText(change.value)];
        break;
      case 'drop':
        if (index < 0) throw catalogError.undefinedOption(change.key);
        out.splice(index, 1);
        break;
    }
  }
  return out;
}

/** The value of one option, or undefined when it is not set. */
export function optionValue(options: OptionList, key: string): string | undefined {
  return options.find(([k]) => k === key)?.[1];
}
