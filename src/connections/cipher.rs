//! Tokens at rest: sealed with XChaCha20-Poly1305 (a random 192-bit nonce per seal, so
//! nonces never repeat in practice) under a key from settings or a key file. The
//! additional data binds a sealed blob to its app and connector, so a blob copied into
//! another row does not open.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use std::path::Path;

/// The first byte of a sealed blob: 1 = nonce and ciphertext (any key may have sealed
/// it); 2 = the sealing key's id, then nonce and ciphertext.
const V1: u8 = 1;
const V2: u8 = 2;
const ID_LEN: usize = 4;
const NONCE_LEN: usize = 24;
const FINGERPRINT_LABEL: &[u8] = b"patchbay token key fingerprint v1";

#[derive(Debug, thiserror::Error)]
pub enum CipherError {
    #[error("the token key must be 32 bytes, base64-encoded")]
    BadKey,
    #[error("cannot read or create the key file {path}: {source}")]
    KeyFile { path: String, source: std::io::Error },
    #[error("sealed data could not be opened (wrong key, or tampered)")]
    Open,
}

/// One key: its AEAD and its fingerprint (an HMAC of a fixed label under the key, so
/// servers can compare keys without revealing them). The id in sealed blobs is the
/// fingerprint's first bytes.
struct SealKey {
    aead: XChaCha20Poly1305,
    fingerprint: String,
    id: [u8; ID_LEN],
}

impl SealKey {
    fn parse(key: &SecretString) -> Result<Self, CipherError> {
        let bytes = B64.decode(key.expose_secret().trim()).map_err(|_| CipherError::BadKey)?;
        let key = Key::try_from(bytes.as_slice()).map_err(|_| CipherError::BadKey)?;
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&bytes).map_err(|_| CipherError::BadKey)?;
        mac.update(FINGERPRINT_LABEL);
        let digest = mac.finalize().into_bytes();
        let mut id = [0u8; ID_LEN];
        id.copy_from_slice(&digest[..ID_LEN]);
        Ok(Self { aead: XChaCha20Poly1305::new(&key), fingerprint: crate::digest::hex(&digest), id })
    }
}

/// The keys that seal tokens at rest, newest first: the newest seals, any of them opens
/// what it sealed (so a rotated-out key keeps working until `patchbay keys rewrap`).
pub struct TokenCipher {
    keys: Vec<SealKey>,
}

impl std::fmt::Debug for TokenCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCipher([REDACTED])")
    }
}

impl TokenCipher {
    pub fn from_base64(key: &SecretString) -> Result<Self, CipherError> {
        Self::from_keys(key, &[])
    }

    /// `newest` seals; `previous` (newest first) only open.
    pub fn from_keys(newest: &SecretString, previous: &[SecretString]) -> Result<Self, CipherError> {
        let keys = std::iter::once(newest).chain(previous).map(SealKey::parse).collect::<Result<Vec<_>, _>>()?;
        Ok(Self { keys })
    }

    /// The configured keys, else the key file `token.key` in the data directory (one key
    /// per line, newest last), created on first start with mode 0600 so that only
    /// patchbay's user can read it.
    pub fn load_or_create(
        configured: Option<&SecretString>,
        previous: &[SecretString],
        data_dir: &Path,
    ) -> Result<Self, CipherError> {
        if let Some(key) = configured {
            return Self::from_keys(key, previous);
        }
        let path = key_file(data_dir);
        let fail = |source| CipherError::KeyFile { path: path.display().to_string(), source };
        if !path.exists() {
            std::fs::create_dir_all(data_dir).map_err(fail)?;
            write_private(&path, format!("{}\n", generate_key()).as_bytes()).map_err(fail)?;
        }
        let text = std::fs::read_to_string(&path).map_err(fail)?;
        let mut lines: Vec<SecretString> =
            text.lines().filter(|l| !l.trim().is_empty()).map(|l| SecretString::from(l.trim().to_owned())).collect();
        lines.reverse();
        let (newest, previous) = lines.split_first().ok_or(CipherError::BadKey)?;
        Self::from_keys(newest, previous)
    }

    /// The sealing key's fingerprint.
    pub fn fingerprint(&self) -> &str {
        &self.keys[0].fingerprint
    }

    pub fn fingerprints(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| k.fingerprint.as_str())
    }

    pub fn seal(&self, plaintext: &[u8], context: &str) -> Vec<u8> {
        let key = &self.keys[0];
        let nonce = XNonce::generate();
        let sealed = key
            .aead
            .encrypt(&nonce, Payload { msg: plaintext, aad: context.as_bytes() })
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory buffers");
        let mut out = Vec::with_capacity(1 + ID_LEN + NONCE_LEN + sealed.len());
        out.push(V2);
        out.extend_from_slice(&key.id);
        out.extend_from_slice(nonce.as_slice());
        out.extend_from_slice(&sealed);
        out
    }

    pub fn open(&self, sealed: &[u8], context: &str) -> Result<Vec<u8>, CipherError> {
        let (candidates, rest): (Vec<&SealKey>, &[u8]) = match sealed.first() {
            Some(&V1) => (self.keys.iter().collect(), &sealed[1..]),
            Some(&V2) if sealed.len() > 1 + ID_LEN => {
                let id = &sealed[1..1 + ID_LEN];
                (self.keys.iter().filter(|k| k.id == id).collect(), &sealed[1 + ID_LEN..])
            }
            _ => return Err(CipherError::Open),
        };
        if rest.len() < NONCE_LEN {
            return Err(CipherError::Open);
        }
        let nonce = XNonce::try_from(&rest[..NONCE_LEN]).map_err(|_| CipherError::Open)?;
        candidates
            .iter()
            .find_map(|k| k.aead.decrypt(&nonce, Payload { msg: &rest[NONCE_LEN..], aad: context.as_bytes() }).ok())
            .ok_or(CipherError::Open)
    }

    /// True when the blob was sealed by an older key (or names none): `keys rewrap` work.
    pub fn needs_rewrap(&self, sealed: &[u8]) -> bool {
        !(sealed.first() == Some(&V2) && sealed.get(1..1 + ID_LEN) == Some(&self.keys[0].id[..]))
    }
}

/// A fresh random key, base64.
pub fn generate_key() -> String {
    B64.encode(Key::generate().as_slice())
}

pub fn key_file(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("token.key")
}

/// Adds a key to the key file as its newest.
pub fn append_key(data_dir: &Path, key: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new().append(true).open(key_file(data_dir))?;
    writeln!(file, "{key}")?;
    file.sync_all()
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher() -> TokenCipher {
        TokenCipher::from_base64(&SecretString::from(B64.encode([7u8; 32]))).unwrap()
    }

    #[test]
    fn sealed_tokens_open_with_the_same_key_and_context() {
        let c = cipher();
        let sealed = c.seal(b"ya29.secret-access-token", "app:1/gmail");
        assert!(!sealed.windows(6).any(|w| w == b"secret"), "plaintext must not show in the sealed bytes");
        assert_eq!(c.open(&sealed, "app:1/gmail").unwrap(), b"ya29.secret-access-token");
    }

    #[test]
    fn a_blob_moved_to_another_app_or_tampered_with_does_not_open() {
        let c = cipher();
        let mut sealed = c.seal(b"token", "app:1/gmail");
        assert!(c.open(&sealed, "app:2/gmail").is_err());
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(c.open(&sealed, "app:1/gmail").is_err());
    }

    #[test]
    fn two_seals_of_the_same_token_differ() {
        let c = cipher();
        assert_ne!(c.seal(b"token", "ctx"), c.seal(b"token", "ctx"));
    }

    #[test]
    fn after_a_rotation_old_blobs_still_open_and_new_ones_use_the_new_key() {
        let old = cipher();
        let sealed_before = old.seal(b"token", "ctx");
        let new_key = SecretString::from(B64.encode([9u8; 32]));
        let rotated = TokenCipher::from_keys(&new_key, &[SecretString::from(B64.encode([7u8; 32]))]).unwrap();
        assert_eq!(rotated.open(&sealed_before, "ctx").unwrap(), b"token");
        assert!(rotated.needs_rewrap(&sealed_before));
        let sealed_after = rotated.seal(b"token", "ctx");
        assert!(!rotated.needs_rewrap(&sealed_after));
        assert!(old.open(&sealed_after, "ctx").is_err(), "the old key alone cannot open what the new one sealed");
        assert_ne!(old.fingerprint(), rotated.fingerprint());
    }

    #[test]
    fn a_key_that_is_not_32_bytes_is_refused() {
        assert!(TokenCipher::from_base64(&SecretString::from(B64.encode([1u8; 16]))).is_err());
        assert!(TokenCipher::from_base64(&SecretString::from("not base64!".to_owned())).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn the_generated_key_file_is_private_and_reused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let first = TokenCipher::load_or_create(None, &[], dir.path()).unwrap();
        let mode = std::fs::metadata(dir.path().join("token.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let sealed = first.seal(b"t", "c");
        let second = TokenCipher::load_or_create(None, &[], dir.path()).unwrap();
        assert_eq!(second.open(&sealed, "c").unwrap(), b"t");
    }
}
