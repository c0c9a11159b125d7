//! The LLM adapter: one chat completion on any OpenAI-compatible endpoint (OpenAI, vLLM,
//! Ollama, llama.cpp's server) through async-openai, answered in `prompts/route_schema.json`
//! either as structured output or as a forced tool call — both shapes are read back.
//!
//! async-openai's own executor retries 429 and 5xx three times and sleeps as long as
//! Retry-After says, which could hold a chat for minutes. So this adapter installs its
//! own transport (no retries, no reading of error bodies) and owns the policy: at most
//! one retry, and only when it fits in what is left of `llm.timeout_ms`.

use super::model::{Decision, IntentModel, ModelError, ModelInput};
use super::prompt::{self, ANSWER_NAME, PROMPT};
use crate::config::{AnswerFormat, LlmSettings};
use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::middleware::HttpRequestFactory;
use async_openai::types::chat::{
    ChatCompletionMessageToolCalls, ChatCompletionNamedToolChoice, ChatCompletionRequestAssistantMessage,
    ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage, ChatCompletionRequestUserMessage,
    ChatCompletionTool, ChatCompletionToolChoiceOption, ChatCompletionTools, CreateChatCompletionRequest,
    CreateChatCompletionResponse, FunctionName, FunctionObject, ResponseFormat, ResponseFormatJsonSchema,
};
use futures::future::BoxFuture;
use secrecy::ExposeSecret;
use std::time::Duration;
use tokio::time::Instant;

/// Wait before the one retry when the endpoint gives no Retry-After.
const RETRY_PAUSE: Duration = Duration::from_millis(150);
/// A retry that would have less than this left is not worth starting.
const MIN_ATTEMPT: Duration = Duration::from_millis(250);
const MAX_ANSWER_TOKENS: u32 = 1200;

pub struct OpenAiModel {
    client: Client<OpenAIConfig>,
    model: String,
    /// The base URL without any user:password part, for logs.
    endpoint: String,
    timeout: Duration,
    format: AnswerFormat,
}

#[derive(Debug, thiserror::Error)]
pub enum LlmSetupError {
    #[error("llm.base_url is not a valid http(s) URL")]
    BaseUrl,
    #[error("cannot build the HTTP client for the LLM: {0}")]
    Http(String),
}

/// Written by hand so that neither the key nor a password in the URL can be printed.
impl std::fmt::Debug for OpenAiModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiModel")
            .field("endpoint", &self.endpoint)
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl OpenAiModel {
    pub fn new(settings: &LlmSettings) -> Result<Self, LlmSetupError> {
        let mut url = url::Url::parse(&settings.base_url).map_err(|_| LlmSetupError::BaseUrl)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(LlmSetupError::BaseUrl);
        }
        let _ = url.set_password(None);
        let _ = url.set_username("");
        crate::startup::install_crypto_provider();
        let timeout = Duration::from_millis(settings.timeout_ms);
        // The client's own timeout is a second fence; the budget below is the real one.
        let http = reqwest::Client::builder()
            .connect_timeout(timeout.min(Duration::from_secs(3)))
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| LlmSetupError::Http(e.to_string()))?;
        // An empty key sends "Bearer " — fine for local servers that ignore it; and the
        // explicit value stops async-openai from reading OPENAI_API_KEY behind our back.
        let key = settings.api_key.as_ref().map(|k| k.expose_secret().to_owned()).unwrap_or_default();
        let config = OpenAIConfig::new().with_api_base(settings.base_url.trim_end_matches('/')).with_api_key(key);
        let client = Client::build(http.clone(), config).with_http_service(Transport { http });
        Ok(Self {
            client,
            model: settings.model.clone(),
            endpoint: url.as_str().trim_end_matches('/').to_owned(),
            timeout,
            format: settings.answer_format,
        })
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The chat completion request: system prompt, few-shot pairs, then the input.
    pub fn request(&self, input: &ModelInput) -> CreateChatCompletionRequest {
        let mut messages: Vec<ChatCompletionRequestMessage> =
            vec![ChatCompletionRequestSystemMessage::from(PROMPT.system).into()];
        for (user, answer) in &PROMPT.examples {
            messages.push(ChatCompletionRequestUserMessage::from(user.as_str()).into());
            messages.push(ChatCompletionRequestAssistantMessage::from(answer.as_str()).into());
        }
        messages.push(ChatCompletionRequestUserMessage::from(prompt::user_message(input)).into());
        let mut request = CreateChatCompletionRequest {
            model: self.model.clone(),
            messages,
            temperature: Some(0.0),
            max_completion_tokens: Some(MAX_ANSWER_TOKENS),
            ..Default::default()
        };
        match self.format {
            AnswerFormat::JsonSchema => {
                request.response_format = Some(ResponseFormat::JsonSchema {
                    json_schema: ResponseFormatJsonSchema {
                        name: ANSWER_NAME.into(),
                        description: Some("The connectors a builder's request needs, and its intent.".into()),
                        schema: PROMPT.schema.clone(),
                        strict: Some(true),
                    },
                });
            }
            AnswerFormat::ToolCall => {
                request.tools = Some(vec![ChatCompletionTools::Function(ChatCompletionTool {
                    function: FunctionObject {
                        name: ANSWER_NAME.into(),
                        description: Some("Record the routing decision for the builder's request.".into()),
                        parameters: Some(PROMPT.schema.clone()),
                        strict: Some(true),
                    },
                })]);
                request.tool_choice = Some(ChatCompletionToolChoiceOption::Function(ChatCompletionNamedToolChoice {
                    function: FunctionName { name: ANSWER_NAME.into() },
                }));
            }
        }
        request
    }

    /// One attempt, bounded by the deadline.
    async fn attempt(&self, request: &CreateChatCompletionRequest, deadline: Instant) -> Result<Decision, ModelError> {
        let chat = self.client.chat();
        let call = chat.create(request.clone());
        match tokio::time::timeout_at(deadline, call).await {
            Err(_) => Err(ModelError::Timeout { ms: self.timeout.as_millis() as u64 }),
            Ok(Err(e)) => Err(classify(e, self.timeout)),
            Ok(Ok(response)) => answer_of(&response),
        }
    }
}

impl IntentModel for OpenAiModel {
    fn name(&self) -> &'static str {
        "openai"
    }

    fn model(&self) -> Option<&str> {
        Some(&self.model)
    }

    fn prompt_version(&self) -> Option<&str> {
        Some(prompt::version())
    }

    fn decide<'a>(&'a self, input: &'a ModelInput) -> BoxFuture<'a, Result<Decision, ModelError>> {
        Box::pin(async move {
            let deadline = Instant::now() + self.timeout;
            let request = self.request(input);
            let first = self.attempt(&request, deadline).await;
            let error = match first {
                Err(e) if e.is_transient() => e,
                other => return other,
            };
            let pause = match &error {
                ModelError::RateLimited { retry_after: Some(after) } => *after,
                _ => RETRY_PAUSE,
            };
            let left = deadline.saturating_duration_since(Instant::now());
            if pause + MIN_ATTEMPT > left {
                tracing::debug!(error = %error, "no time left for a retry");
                return Err(error);
            }
            tracing::debug!(error = %error, pause_ms = pause.as_millis() as u64, "retrying the model once");
            tokio::time::sleep(pause).await;
            self.attempt(&request, deadline).await
        })
    }
}

/// The decision from a completion: the tool call's arguments when there is one, else
/// the message content.
fn answer_of(response: &CreateChatCompletionResponse) -> Result<Decision, ModelError> {
    let Some(choice) = response.choices.first() else {
        return Err(ModelError::BadAnswer("the reply has no choices".into()));
    };
    let message = &choice.message;
    let call = message.tool_calls.iter().flatten().find_map(|c| match c {
        ChatCompletionMessageToolCalls::Function(f) => Some(&f.function),
        ChatCompletionMessageToolCalls::Custom(_) => None,
    });
    if let Some(function) = call {
        if function.name != ANSWER_NAME {
            return Err(ModelError::BadAnswer(format!("the model called an unknown tool '{}'", function.name)));
        }
        return prompt::parse_answer(&function.arguments);
    }
    if let Some(content) = message.content.as_deref().filter(|c| !c.trim().is_empty()) {
        return prompt::parse_answer(content);
    }
    if message.refusal.is_some() {
        return Err(ModelError::BadAnswer("the model refused to answer".into()));
    }
    Err(ModelError::BadAnswer("the answer is empty".into()))
}

/// Maps a client error to a reason that carries no response text and no credential.
fn classify(error: OpenAIError, timeout: Duration) -> ModelError {
    match error {
        OpenAIError::Boxed(boxed) => match boxed.downcast::<HttpFailure>() {
            Ok(failure) => failure.into_model_error(),
            Err(_) => ModelError::Unreachable,
        },
        OpenAIError::Reqwest(e) if e.is_timeout() => ModelError::Timeout { ms: timeout.as_millis() as u64 },
        OpenAIError::Reqwest(_) => ModelError::Unreachable,
        OpenAIError::ApiError(api) => {
            HttpFailure { status: api.status_code.as_u16(), retry_after: None }.into_model_error()
        }
        OpenAIError::JSONDeserialize(..) => ModelError::BadAnswer("the reply is not a chat completion".into()),
        _ => ModelError::BadAnswer("the client could not complete the call".into()),
    }
}

/// A non-2xx reply, stopped in the transport before anyone reads its body.
#[derive(Debug, thiserror::Error)]
#[error("the model endpoint answered {status}")]
struct HttpFailure {
    status: u16,
    retry_after: Option<Duration>,
}

impl HttpFailure {
    fn into_model_error(self) -> ModelError {
        match self.status {
            429 => ModelError::RateLimited { retry_after: self.retry_after },
            500..=599 => ModelError::Server { status: self.status },
            status => ModelError::Refused { status },
        }
    }
}

/// Retry-After in seconds (or OpenAI's `retry-after-ms`); an HTTP date or anything else
/// unreadable counts as "long", so it never triggers a quick retry.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let read = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(ms) = read("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        return Some(Duration::from_secs_f64(ms.max(0.0) / 1000.0));
    }
    let value = read("retry-after")?;
    Some(match value.parse::<f64>() {
        Ok(secs) if secs.is_finite() => Duration::from_secs_f64(secs.clamp(0.0, 86_400.0)),
        _ => Duration::from_secs(3600),
    })
}

/// reqwest without retries: success passes through; any other status becomes an
/// [`HttpFailure`] without reading the body (which could echo what was sent).
#[derive(Clone)]
struct Transport {
    http: reqwest::Client,
}

impl tower::Service<HttpRequestFactory> for Transport {
    type Response = reqwest::Response;
    type Error = OpenAIError;
    type Future = BoxFuture<'static, Result<reqwest::Response, OpenAIError>>;

    fn poll_ready(&mut self, _: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, factory: HttpRequestFactory) -> Self::Future {
        let http = self.http.clone();
        Box::pin(async move {
            let request = factory.build().await?;
            let response = http.execute(request).await.map_err(OpenAIError::Reqwest)?;
            if response.status().is_success() {
                return Ok(response);
            }
            let failure =
                HttpFailure { status: response.status().as_u16(), retry_after: retry_after(response.headers()) };
            Err(OpenAIError::Boxed(Box::new(failure)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    #[test]
    fn retry_after_reads_seconds_and_milliseconds_and_treats_dates_as_long() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert("retry-after", HeaderValue::from_static("Wed, 21 Oct 2026 07:28:00 GMT"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3600)));
        h.insert("retry-after-ms", HeaderValue::from_static("120"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(120)));
    }

    #[test]
    fn statuses_map_to_stable_reasons() {
        let of = |status| HttpFailure { status, retry_after: None }.into_model_error().to_string();
        assert!(of(429).starts_with("rate_limited:"));
        assert!(of(503).starts_with("server_error:"));
        assert!(of(401).starts_with("refused:"));
    }

    #[test]
    fn debug_output_hides_the_key_and_url_credentials() {
        let settings = LlmSettings {
            base_url: "https://user:pa55word@llm.example/v1".into(),
            api_key: Some("sk-do-not-print".to_owned().into()),
            ..LlmSettings::default()
        };
        let model = OpenAiModel::new(&settings).expect("model");
        let shown = format!("{model:?}");
        assert!(!shown.contains("sk-do-not-print") && !shown.contains("pa55word"), "{shown}");
        assert!(shown.contains("llm.example"));
    }
}
