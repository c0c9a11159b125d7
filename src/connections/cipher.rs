//! Tokens at rest: sealed with XChaCha20-Poly1305 (a random 192-bit nonce per seal, so
//! nonces never repeat in practice) under a key from settings or a key file. The
//! additional data binds a sealed blob to its app and connector, so a blob copied into
//! another row does not open.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretString};
use std::path::Path;

const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;

#[derive(Debug, thiserror::Error)]
pub enum CipherError {
    #[error("the token key must be 32 bytes, base64-encoded")]
    BadKey,
    #[error("cannot read or create the key file {path}: {source}")]
    KeyFile { path: String, source: std::io::Error },
    #[error("sealed data could not be opened (wrong key, or tampered)")]
    Open,
}

pub struct TokenCipher {
    aead: XChaCha20Poly1305,
}

impl std::fmt::Debug for TokenCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCipher([REDACTED])")
    }
}

impl TokenCipher {
    pub fn from_base64(key: &SecretString) -> Result<Self, CipherError> {
        let bytes = B64.decode(key.expose_secret().trim()).map_err(|_| CipherError::BadKey)?;
        let key = Key::try_from(bytes.as_slice()).map_err(|_| CipherError::BadKey)?;
        Ok(Self { aead: XChaCha20Poly1305::new(&key) })
    }

    /// The configured key, else `token.key` in the data directory, created on first start
    /// with mode 0600 so that only patchbay's user can read it.
    pub fn load_or_create(configured: Option<&SecretString>, data_dir: &Path) -> Result<Self, CipherError> {
        if let Some(key) = configured {
            return Self::from_base64(key);
        }
        let path = data_dir.join("token.key");
        let fail = |source| CipherError::KeyFile { path: path.display().to_string(), source };
        if !path.exists() {
            std::fs::create_dir_all(data_dir).map_err(fail)?;
            let key = Key::generate();
            write_private(&path, B64.encode(key.as_slice()).as_bytes()).map_err(fail)?;
        }
        let text = std::fs::read_to_string(&path).map_err(fail)?;
        Self::from_base64(&SecretString::from(text))
    }

    pub fn seal(&self, plaintext: &[u8], context: &str) -> Vec<u8> {
        let nonce = XNonce::generate();
        let sealed = self
            .aead
            .encrypt(&nonce, Payload { msg: plaintext, aad: context.as_bytes() })
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory buffers");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(nonce.as_slice());
        out.extend_from_slice(&sealed);
        out
    }

    pub fn open(&self, sealed: &[u8], context: &str) -> Result<Vec<u8>, CipherError> {
        if sealed.len() < 1 + NONCE_LEN || sealed[0] != VERSION {
            return Err(CipherError::Open);
        }
        let nonce = XNonce::try_from(&sealed[1..1 + NONCE_LEN]).map_err(|_| CipherError::Open)?;
        self.aead
            .decrypt(&nonce, Payload { msg: &sealed[1 + NONCE_LEN..], aad: context.as_bytes() })
            .map_err(|_| CipherError::Open)
    }
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
    fn a_key_that_is_not_32_bytes_is_refused() {
        assert!(TokenCipher::from_base64(&SecretString::from(B64.encode([1u8; 16]))).is_err());
        assert!(TokenCipher::from_base64(&SecretString::from("not base64!".to_owned())).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn the_generated_key_file_is_private_and_reused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let first = TokenCipher::load_or_create(None, dir.path()).unwrap();
        let mode = std::fs::metadata(dir.path().join("token.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let sealed = first.seal(b"t", "c");
        let second = TokenCipher::load_or_create(None, dir.path()).unwrap();
        assert_eq!(second.open(&sealed, "c").unwrap(), b"t");
    }
}
