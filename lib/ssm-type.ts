/**
 * The type an SSM parameter must have. Credentials and chat channels are secrets: a plain `String`
 * is stored unencrypted and readable by anyone allowed ssm:GetParameter (no kms:Decrypt needed),
 * so such a parameter is refused even though its value would work. The target list is not a secret.
 */
import { ConfigError } from './errors.ts';

/** `secret`: SecureString only; `plain`: String or SecureString (never StringList). */
export type ParameterKind = 'secret' | 'plain';

export function checkParameterType(
  name: string,
  type: string | undefined,
  kind: ParameterKind = 'secret',
): void {
  if (type === 'SecureString' || (kind === 'plain' && type === 'String')) return;
  const expected = kind === 'secret' ? 'SecureString' : 'String or SecureString';
  throw new ConfigError(
    `SSM parameter ${name} is of type ${type ?? 'unknown'}; expected ${expected} (re-create it with --type ${kind === 'secret' ? 'SecureString' : 'String'})`,
  );
}
