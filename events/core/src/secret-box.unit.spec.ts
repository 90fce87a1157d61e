import { randomBytes } from 'node:crypto';
import { newSecretsKey, openText, sealText, secretsKeyOf, UnsealableTextError } from './secret-box';

const key = secretsKeyOf(newSecretsKey());

/**
 * Values sealed before the two seal modules became this one (services/kit's secret-box for
 * poller credentials, connectors/webhooks' sealSecret for webhook secrets), under the key of 32
 * bytes of 7: what is stored today must still open.
 */
const OLD_KEY = Buffer.alloc(32, 7).toString('base64');
const SEALED_POLLER_CREDENTIAL = {
  kek: '4bb06f8e4e3a7715',
  iv: '-g6xLCj8DpgE4TE9',
  ciphertext: 'E_EV9zSb6y_SkyyMyc_f-KfwuOBxrZCzJ7MCh9L0orBY',
  tag: 'juoCUuTm83j-hQjkbfxofg',
};
const SEALED_WEBHOOK_SECRET = {
  kek: '4bb06f8e4e3a7715',
  iv: 'mNEAfdPCDyfyBD-F',
  ciphertext: 'wMLwvru0k7m4wqfbrhO_qAf05gmQqRzfFkrgnZelWLR-txH0106F7Ev1dbdNnORdv0E',
  tag: 'a64XWSz-7ZjGORdHKD6Asw',
};

describe('secret box', () => {
  it('opens what it sealed, and the sealed value does not contain the text', () => {
    const sealed = sealText(key, 'token-123', 'acme/netsuite');
    expect(JSON.stringify(sealed)).not.toContain('token-123');
    expect(sealed.kek).toBe(key.id);
    expect(Buffer.from(sealed.iv, 'base64url')).toHaveLength(12);
    expect(openText(key, sealed, 'acme/netsuite')).toBe('token-123');
  });

  it('opens values sealed by the earlier poller and webhook modules (same format, same key id)', () => {
    const old = secretsKeyOf(OLD_KEY);
    expect(old.id).toBe('4bb06f8e4e3a7715');
    expect(openText(old, SEALED_POLLER_CREDENTIAL, 'acme/erp-db')).toBe('{"type":"bearer","token":"t-123"}');
    expect(openText(old, SEALED_WEBHOOK_SECRET, 'acme/netsuite/whk_aaaaaaaaaaaaaaaa')).toBe(
      `whsec_${Buffer.alloc(32, 9).toString('base64')}`,
    );
  });

  it('refuses another place, another key and an altered ciphertext, naming neither key nor text', () => {
    const sealed = sealText(key, 'token-123', 'acme/netsuite');
    const refusal = (run: () => unknown): UnsealableTextError => {
      try {
        run();
      } catch (error) {
        if (error instanceof UnsealableTextError) return error;
        throw error;
      }
      throw new Error('opened');
    };
    expect(refusal(() => openText(key, sealed, 'other/netsuite'))).toMatchObject({
      code: 'unsealable_text',
      reason: 'authentication failed',
    });
    const other = secretsKeyOf(randomBytes(32).toString('base64'));
    expect(refusal(() => openText(other, sealed, 'acme/netsuite')).reason).toBe(
      `sealed under key ${key.id}, not ${other.id}`,
    );
    const altered = { ...sealed, ciphertext: Buffer.from('x'.repeat(9)).toString('base64url') };
    const error = refusal(() => openText(key, altered, 'acme/netsuite'));
    expect(error.reason).toBe('authentication failed');
    expect(error.message).not.toContain(key.key.toString('base64'));
  });

  it('takes only a 32-byte key, without echoing it', () => {
    const short = randomBytes(16).toString('base64');
    let message = '';
    try {
      secretsKeyOf(short);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^VERITY_SECRETS_KEY must be the base64 of 32 bytes/);
    expect(message).not.toContain(short);
    expect(secretsKeyOf(` ${OLD_KEY}\n`).id).toBe('4bb06f8e4e3a7715');
  });
});
