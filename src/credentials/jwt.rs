//! Snowflake's key-pair authentication: an RS256 JWT whose issuer names the public key's
//! SHA-256 fingerprint (`ACCOUNT.USER.SHA256:<base64>`), valid for at most an hour.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
use rsa::signature::{SignatureEncoding, Signer};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};

/// Snowflake accepts at most an hour; a short life limits a leaked token.
const LIFETIME_SECS: i64 = 600;

#[derive(Debug, thiserror::Error)]
pub enum JwtError {
    #[error(
        "it is not an unencrypted PKCS#8 private key in PEM form (-----BEGIN PRIVATE KEY-----); an encrypted key must be decrypted first"
    )]
    BadKey,
}

pub fn private_key(pem: &str) -> Result<RsaPrivateKey, JwtError> {
    RsaPrivateKey::from_pkcs8_pem(pem.trim()).map_err(|_| JwtError::BadKey)
}

/// `SHA256:` and the base64 SHA-256 of the public key's DER (as `DESCRIBE USER` shows
/// in `RSA_PUBLIC_KEY_FP`).
pub fn fingerprint(public: &RsaPublicKey) -> Result<String, JwtError> {
    let der = public.to_public_key_der().map_err(|_| JwtError::BadKey)?;
    Ok(format!("SHA256:{}", STANDARD.encode(Sha256::digest(der.as_bytes()))))
}

/// A signed JWT for `subject` (`ACCOUNT.USER`, upper case).
pub fn sign(pem: &str, subject: &str, now: i64) -> Result<String, JwtError> {
    let key = private_key(pem)?;
    let issuer = format!("{subject}.{}", fingerprint(&key.to_public_key())?);
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let claims = serde_json::json!({"iss": issuer, "sub": subject, "iat": now, "exp": now + LIFETIME_SECS});
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signing_input = format!("{header}.{payload}");
    let signer = rsa::pkcs1v15::SigningKey::<rsa::sha2::Sha256>::new(key);
    let signature = signer.sign(signing_input.as_bytes()).to_vec();
    Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

/// The claims of a JWT whose RS256 signature `public` verifies (for the sandbox, which
/// plays Snowflake).
pub fn verify(token: &str, public: &RsaPublicKey) -> Option<serde_json::Value> {
    use rsa::signature::Verifier;
    let (signing_input, signature) = token.rsplit_once('.')?;
    let (_, payload) = signing_input.split_once('.')?;
    let signature = rsa::pkcs1v15::Signature::try_from(URL_SAFE_NO_PAD.decode(signature).ok()?.as_slice()).ok()?;
    let verifier = rsa::pkcs1v15::VerifyingKey::<rsa::sha2::Sha256>::new(public.clone());
    verifier.verify(signing_input.as_bytes(), &signature).ok()?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}
