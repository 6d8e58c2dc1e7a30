//! The Web Worker's edge: wasm-bindgen functions over the library, nothing else.
//!
//! The worker (`www/worker.js`) calls these one at a time and never concurrently, so the state
//! lives in one thread-local. The calls about a model take its name (a [`Kind`]'s: `start`,
//! `train`, `samples`, `interpolate`, `fcd_score`) and go to the one holder of the models,
//! [`Session`]. Async calls take what they use out of the state for the duration of the await
//! and put it back after, so no borrow is held across an await. Errors come back as JS
//! `Error`s with the library's message; a panic (a bug, not bad input) is recorded so the worker
//! can report it before the page starts a fresh one.

use std::cell::RefCell;

use burn::prelude::Device;
use js_sys::Float32Array;
use wasm_bindgen::prelude::*;

use crate::backend::{self, Backend};
use crate::data::Digits;
use crate::error::Error;
use crate::kind::Kind;
use crate::fcd::fcd;
use crate::map::{LatentMap, LatentMapConfig};
use crate::rng::Rng;
use crate::session::{Preview, Session};
use crate::models::Classifier;
use crate::weights::WeightsFile;
use crate::train::classifier::accuracy;
use crate::train::phase::Look;
use crate::train::{AeTrainer, AeTrainingConfig, FlowTrainer};

#[derive(Default)]
struct State {
    train: Option<Digits>,
    test: Option<Digits>,
    device: Option<Device>,
    /// Every model of the page: the autoencoder, the flow, the WGAN and the baselines.
    models: Session,
    /// The FCD classifier, on the current device.
    classifier: Option<Classifier>,
    /// Its weights file, kept to move it to a new device when the backend changes.
    classifier_file: Option<WeightsFile>,
    /// The latent map being drawn, and whose codes it shows (the autoencoder or a baseline).
    map: Option<(Kind, LatentMap)>,
    /// The pretrained samplers drawn before MNIST has arrived (see [`open_preview`]).
    preview: Option<Preview>,
}

impl State {
    fn device(&self) -> Result<&Device, Error> {
        self.device.as_ref().ok_or_else(|| Error::State("no backend selected".into()))
    }

    /// The training and test digits, once loaded.
    fn digits(&self) -> Result<(&Digits, &Digits), Error> {
        match (&self.train, &self.test) {
            (Some(train), Some(test)) => Ok((train, test)),
            _ => Err(Error::State("MNIST is not loaded yet".into())),
        }
    }

    /// A fresh autoencoder run (the autoencoder, a baseline, or a timing) on these digits and
    /// this backend.
    fn new_trainer(&self, config: AeTrainingConfig) -> Result<AeTrainer, Error> {
        let (train, test) = self.digits()?;
        AeTrainer::new(config, train, test, self.device()?)
    }
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn js_error(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

/// Converts to a plain JS value: structs and maps become ordinary objects (serde-wasm-bindgen
/// would make a flattened struct an ES `Map`, which the page could not read as `config.epochs`).
fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

fn with_state<T>(f: impl FnOnce(&mut State) -> T) -> T {
    STATE.with(|s| f(&mut s.borrow_mut()))
}

/// Installs the panic hook: the message goes to the console and is kept for [`last_panic`].
#[wasm_bindgen(start)]
pub fn on_load() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(info.to_string()));
    }));
}

/// The message of the panic that killed this instance, if one did.
#[wasm_bindgen]
pub fn last_panic() -> Option<String> {
    LAST_PANIC.with(|p| p.borrow().clone())
}

/// Panics on purpose, so the browser tests can check that the page survives a dead worker.
#[wasm_bindgen]
pub fn debug_panic() {
    panic!("deliberate panic requested by a test");
}

/// Parses the four MNIST IDX files (already decompressed): the grayscale digits, fetched only
/// when a model asks for grayscale pixels. Replaces the digits loaded before. Returns
/// `{train, test}`, the number of digits in each.
#[wasm_bindgen]
pub fn load_mnist(
    train_images: &[u8],
    train_labels: &[u8],
    test_images: &[u8],
    test_labels: &[u8],
) -> Result<JsValue, JsError> {
    let train = Digits::from_idx(train_images, train_labels)
        .map_err(|e| js_error(Error::Data(format!("training set: {e}"))))?;
    let test = Digits::from_idx(test_images, test_labels)
        .map_err(|e| js_error(Error::Data(format!("test set: {e}"))))?;
    Ok(keep_digits(train, test))
}

/// Parses the binarized, packed training and test digits (`tools/pack-mnist.mjs`, already
/// decompressed): what the page downloads first. Returns `{train, test}`.
#[wasm_bindgen]
pub fn load_mnist_binarized(train: &[u8], test: &[u8]) -> Result<JsValue, JsError> {
    let train = Digits::from_packed(train).map_err(|e| js_error(Error::Data(format!("training set: {e}"))))?;
    let test = Digits::from_packed(test).map_err(|e| js_error(Error::Data(format!("test set: {e}"))))?;
    Ok(keep_digits(train, test))
}

fn keep_digits(train: Digits, test: Digits) -> JsValue {
    let counts = counts_object(train.len(), test.len());
    with_state(|s| {
        s.train = Some(train);
        s.test = Some(test);
    });
    counts
}

/// Whether the digits loaded are the grayscale originals (else they are binarized only).
#[wasm_bindgen]
pub fn grayscale_loaded() -> bool {
    with_state(|s| s.train.as_ref().is_some_and(Digits::has_grayscale))
}

/// Whether a models file holds a model trained on grayscale pixels, so that the grayscale
/// digits must be loaded before it. A file that cannot be read says no; loading it reports why.
#[wasm_bindgen]
pub fn models_need_grayscale(bytes: &[u8]) -> bool {
    WeightsFile::from_bytes(bytes).is_ok_and(|file| crate::session::needs_grayscale(&file))
}

fn counts_object(train: usize, test: usize) -> JsValue {
    object(&[("train", (train as f64).into()), ("test", (test as f64).into())])
}

/// Chooses the backend ("gpu" or "cpu") for the next run, initializing WebGPU on first use.
/// Drops any run in progress: its tensors live on the old device.
#[wasm_bindgen]
pub async fn select_backend(name: String) -> Result<(), JsError> {
    let backend = Backend::parse(&name).map_err(js_error)?;
    let device = backend::device(backend).await.map_err(js_error)?;
    with_state(|s| {
        s.models.autoencoder = None;
        s.models.drop_latent_models();
        s.models.baselines.clear();
        s.classifier = s.classifier_file.as_ref().and_then(|file| Classifier::from_file(file, &device).ok());
        s.device = Some(device);
    });
    Ok(())
}

/// What the page builds itself from, declared once in the library: the settings table
/// ([`crate::settings`]: every hyper-parameter's name, label, bounds and default) and the models
/// ([`Kind::described`]: names, labels, the paper's FCD). The build writes it to
/// www/pkg/tables.js, so the page has it before any WebAssembly has downloaded.
#[wasm_bindgen]
pub fn tables() -> Result<JsValue, JsError> {
    to_js(&serde_json::json!({ "settings": crate::settings::described(), "models": Kind::described() }))
}

/// Starts a fresh run of `model` (a [`Kind`]'s name) with `config`, any subset of its settings
/// (see [`Session::start`]). Returns the settings in force and the steps per epoch.
#[wasm_bindgen]
pub fn start(model: String, config: JsValue) -> Result<JsValue, JsError> {
    let kind = Kind::parse(&model).map_err(js_error)?;
    let config = json_of(&config).map_err(js_error)?;
    let started = with_state(|s| {
        let (train, test) = s.digits()?;
        let (train, test, device) = (train.clone(), test.clone(), s.device()?.clone());
        s.models.start(kind, config, &train, &test, &device)
    })
    .map_err(js_error)?;
    if kind == Kind::Autoencoder {
        with_state(|s| s.preview = None); // the new autoencoder's samples replace the pretrained ones
    }
    to_js(&started)
}

/// Runs at most `units` units of work of `model`'s run; returns its progress (see
/// [`progress_js`] for `look`).
#[wasm_bindgen]
pub async fn train(model: String, units: u32, look: JsValue) -> Result<JsValue, JsError> {
    let kind = Kind::parse(&model).map_err(js_error)?;
    let look = look_from(look)?;
    let mut models = take_models();
    let result = models.train(kind, units as usize, look.as_ref()).await;
    put_models(models);
    progress_js(result.map_err(js_error)?)
}

/// A JS value as JSON, exactly as `JSON.stringify` writes it (whole numbers stay whole).
fn json_of(value: &JsValue) -> Result<serde_json::Value, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(serde_json::json!({}));
    }
    let text = js_sys::JSON::stringify(value).map_err(|_| Error::Config("the settings are not plain data".into()))?;
    serde_json::from_str(&String::from(text)).map_err(|e| Error::Config(format!("the settings are not understood: {e}")))
}

/// Forgets the autoencoder run, every model fitted to its codes, and the baselines.
#[wasm_bindgen]
pub fn reset() {
    with_state(|s| {
        s.preview = None;
        s.models.autoencoder = None;
        s.models.drop_latent_models();
        s.models.baselines.clear();
    });
}

fn take_flow() -> Result<FlowTrainer, JsError> {
    with_state(|s| s.models.flow.take()).ok_or_else(|| js_error(Error::State("no flow has been started".into())))
}

/// `count` samples of `model` (a [`Kind`]'s name) from `seed`, as pixel probabilities (see
/// [`Session::samples`]; `temperature` applies to the flow and the WGAN), drawn by the
/// pretrained preview while no full model of that name is loaded.
#[wasm_bindgen]
pub async fn samples(model: String, count: u32, temperature: f32, seed: u32) -> Result<Float32Array, JsError> {
    let kind = Kind::parse(&model).map_err(js_error)?;
    if let Some(preview) = take_preview_of(kind) {
        let result = preview.samples(kind, count as usize, temperature, u64::from(seed)).await;
        put_preview(preview);
        let pixels = result.and_then(|p| p.ok_or_else(|| Error::State(format!("the preview has no {kind}"))));
        return Ok(Float32Array::from(&pixels.map_err(js_error)?[..]));
    }
    let models = take_models();
    let result = models.samples(kind, count as usize, temperature, u64::from(seed)).await;
    put_models(models);
    Ok(Float32Array::from(&result.map_err(js_error)?[..]))
}

fn take_autoencoder() -> Result<AeTrainer, JsError> {
    with_state(|s| s.models.autoencoder.take())
        .ok_or_else(|| js_error(Error::State("no autoencoder has been started".into())))
}

/// Takes every model out, for a call that reads them across an await. The worker runs one
/// call at a time (its commands wait in a queue between chunks), so nothing else is
/// looking for them meanwhile; [`put_models`] puts them back.
fn take_models() -> Session {
    with_state(|s| std::mem::take(&mut s.models))
}

fn put_models(models: Session) {
    with_state(|s| s.models = models);
}

fn put_autoencoder(trainer: AeTrainer) {
    with_state(|s| s.models.autoencoder = Some(trainer));
}

/// The page's `{count, temperature, seed, reconstructions, due}`, or none for null/undefined.
fn look_from(value: JsValue) -> Result<Option<Look>, JsError> {
    if value.is_null() || value.is_undefined() {
        return Ok(None);
    }
    serde_wasm_bindgen::from_value(value).map(Some).map_err(|e| js_error(Error::Config(format!("what to draw: {e}"))))
}

/// A chunk's progress as a plain object. When a `look` was given and was due (or the chunk ended
/// an epoch), `pictures` holds what it asked for as Float32Arrays, read back with the losses in
/// one transaction: the autoencoders' reconstructions (when asked) then samples; the flow's and
/// the WGAN's samples.
fn progress_js(progress: crate::train::Progress) -> Result<JsValue, JsError> {
    let value = to_js(&progress)?;
    if !progress.pictures.is_empty() {
        let pictures: js_sys::Array = progress.pictures.iter().map(|p| JsValue::from(Float32Array::from(&p[..]))).collect();
        let _ = js_sys::Reflect::set(&value, &"pictures".into(), &pictures);
    }
    Ok(value)
}

/// The first `count` test digits and their reconstructions: `{inputs, outputs}`, each a
/// Float32Array of `count × 784` values in [0, 1].
#[wasm_bindgen]
pub async fn reconstructions(count: u32) -> Result<JsValue, JsError> {
    let trainer = take_autoencoder()?;
    let result = trainer.reconstructions(count as usize).await;
    put_autoencoder(trainer);
    let r = result.map_err(js_error)?;
    Ok(object(&[("inputs", Float32Array::from(&r.inputs[..]).into()), ("outputs", Float32Array::from(&r.outputs[..]).into())]))
}

/// The flow's largest round-trip error |F⁻¹(F(z0)) − z0| over `count` draws, on its device.
#[wasm_bindgen]
pub async fn flow_round_trip_error(count: u32) -> Result<f32, JsError> {
    let trainer = take_flow()?;
    let result = trainer.round_trip_error(count as usize, 7).await;
    with_state(|s| s.models.flow = Some(trainer));
    result.map_err(js_error)
}

/// Loads the FCD classifier from its weights file (www/models/classifier.bin) onto the current
/// device. Returns what the file records about it (its test accuracy). A bad file is refused
/// and any classifier already loaded stays.
#[wasm_bindgen]
pub fn load_classifier(bytes: &[u8]) -> Result<JsValue, JsError> {
    let file = WeightsFile::from_bytes(bytes).map_err(js_error)?;
    let classifier = with_state(|s| Classifier::from_file(&file, s.device()?)).map_err(js_error)?;
    let meta = to_js(&file.meta)?;
    with_state(|s| {
        s.classifier = Some(classifier);
        s.classifier_file = Some(file);
    });
    Ok(meta)
}

fn classifier_and_device() -> Result<(Classifier, Device), Error> {
    with_state(|s| {
        let classifier = s.classifier.clone().ok_or_else(|| Error::State("the classifier is not loaded".into()))?;
        Ok((classifier, s.device()?.clone()))
    })
}

/// The classifier's accuracy on the first `count` test digits (binarized), on the current device.
#[wasm_bindgen]
pub async fn classifier_accuracy(count: u32) -> Result<f32, JsError> {
    let (classifier, device) = classifier_and_device().map_err(js_error)?;
    let test = with_state(|s| s.test.as_ref().map(|t| t.take(count as usize))).ok_or_else(|| js_error(Error::State("MNIST is not loaded yet".into())))?;
    accuracy(&classifier, &test, &device).await.map_err(js_error)
}

/// The FCD of `count` samples of `model` (a [`Kind`]'s name or label: "prior" is the
/// autoencoder decoding z ~ N(0, I); or "real": training digits) against the first `count`
/// test digits.
#[wasm_bindgen]
pub async fn fcd_score(model: String, count: u32, seed: u32) -> Result<f64, JsError> {
    let (classifier, device) = classifier_and_device().map_err(js_error)?;
    let count = count as usize;
    let (test, train) = with_state(|s| (s.test.as_ref().map(|t| t.take(count)), s.train.as_ref().map(|t| t.take(count))));
    let (Some(test), Some(train)) = (test, train) else {
        return Err(js_error(Error::State("MNIST is not loaded yet".into())));
    };
    if count < 2 || count > test.len() {
        return Err(js_error(Error::Config(format!("the FCD needs 2 to {} samples, not {count}", test.len()))));
    }
    let all: Vec<usize> = (0..count).collect();
    let grayscale = crate::data::Pixels::Grayscale; // binarized inside the FCD, like the samples
    let samples = if model == "real" {
        train.batch(&all, grayscale)
    } else {
        let kind = Kind::parse(&model).map_err(js_error)?;
        let models = take_models();
        let result = models.samples(kind, count, 1.0, u64::from(seed)).await;
        put_models(models);
        result.map_err(js_error)?
    };
    fcd(&classifier, &samples, &test.batch(&all, grayscale), &device).await.map_err(js_error)
}

/// The autoencoder or a baseline: the models whose codes a map shows.
fn take_encoder(kind: Kind) -> Result<AeTrainer, JsError> {
    match kind {
        Kind::Autoencoder => take_autoencoder(),
        kind => take_baseline(kind),
    }
}

fn put_encoder(kind: Kind, trainer: AeTrainer) {
    match kind {
        Kind::Autoencoder => put_autoencoder(trainer),
        kind => with_state(|s| {
            s.models.baselines.insert(kind, trainer);
        }),
    }
}

/// A plain JS object with these properties.
fn object(properties: &[(&str, JsValue)]) -> JsValue {
    let obj = js_sys::Object::new();
    for (key, value) in properties {
        let _ = js_sys::Reflect::set(&obj, &(*key).into(), value);
    }
    obj.into()
}

fn take_baseline(kind: Kind) -> Result<AeTrainer, JsError> {
    with_state(|s| s.models.baselines.remove(&kind)).ok_or_else(|| js_error(Error::State(format!("no {kind} has been started"))))
}

/// Starts a latent map: encodes `digits` test digits with the chosen model ("ae", "vae" or
/// "aae"), adds `overlay` codes from each model that can make them (the flow and the WGAN, and
/// N(0, I) draws, which is what every sampler decodes without a latent model), and prepares
/// t-SNE. Returns `{labels, overlays, preview, code_agreement, iterations}`; the preview is the
/// PCA picture, there at once.
#[wasm_bindgen]
pub async fn new_latent_map(config: JsValue) -> Result<JsValue, JsError> {
    let config: LatentMapConfig = serde_wasm_bindgen::from_value(config).map_err(|e| js_error(Error::Config(e.to_string())))?;
    config.validate().map_err(js_error)?;
    with_state(|s| s.map = None);
    let source = take_encoder(config.source)?;
    let result = source.test_codes(config.digits).await;
    let dim = source.config().model.latent;
    put_encoder(config.source, source);
    let (codes, labels) = result.map_err(js_error)?;
    let mut overlays = Vec::new();
    if config.source == Kind::Autoencoder && config.overlay > 0 {
        if let Some(flow) = with_state(|s| s.models.flow.take()) {
            let codes = flow.sample_codes(config.overlay, 1.0, config.seed).await;
            with_state(|s| s.models.flow = Some(flow));
            // A flow still encoding the digits cannot sample yet; it is left out, not an error.
            if let Ok(codes) = codes {
                overlays.push((Kind::Flow.name().to_string(), codes));
            }
        }
        if let Some(wgan) = with_state(|s| s.models.wgan.take()) {
            let codes = wgan.sample_codes(config.overlay, 1.0, config.seed).await;
            with_state(|s| s.models.wgan = Some(wgan));
            if let Ok(codes) = codes {
                overlays.push((Kind::Wgan.name().to_string(), codes));
            }
        }
    }
    if config.overlay > 0 {
        overlays.push(("prior".to_string(), Rng::new(config.seed).normals(config.overlay * dim)));
    }
    let map = LatentMap::new(&codes, labels, dim, overlays, config.tsne()).map_err(js_error)?;
    let info = object(&[
        ("labels", js_sys::Uint8Array::from(map.labels()).into()),
        ("overlays", to_js(&map.overlays())?),
        ("preview", Float32Array::from(map.preview()).into()),
        ("code_agreement", map.code_agreement().into()),
        ("iterations", (config.iterations as f64).into()),
    ]);
    with_state(|s| s.map = Some((config.source.clone(), map)));
    Ok(info)
}

/// Runs up to `iterations` more t-SNE iterations of the current map. Returns `{iteration,
/// done, embedding}`, and `agreement` (how often a digit's neighbours on the map share its
/// label) once done.
#[wasm_bindgen]
pub fn latent_map_step(iterations: u32) -> Result<JsValue, JsError> {
    with_state(|s| {
        let (_, map) = s.map.as_mut().ok_or_else(|| Error::State("no latent map has been started".into()))?;
        let done = map.run(iterations as usize)?;
        let agreement = if done { Some(map.map_agreement()?) } else { None };
        Ok((map.tsne().iteration(), done, map.tsne().embedding(), agreement))
    })
    .map_err(js_error)
    .map(|(iteration, done, embedding, agreement)| {
        object(&[
            ("iteration", (iteration as f64).into()),
            ("done", done.into()),
            ("embedding", Float32Array::from(&embedding[..]).into()),
            ("agreement", agreement.map_or(JsValue::UNDEFINED, JsValue::from)),
        ])
    })
}

/// Every model in the worker as one file (see `session`): the bytes to download or keep.
#[wasm_bindgen]
pub async fn save_models() -> Result<js_sys::Uint8Array, JsError> {
    let session = take_models();
    let result = session.to_file(serde_json::json!({ "made_by": "the page" })).await;
    put_models(session);
    Ok(js_sys::Uint8Array::from(&result.map_err(js_error)?.to_bytes()[..]))
}

/// Replaces every model with those of a models file, rebuilt on the current backend. Returns
/// `{models, settings}`: which models it held and their settings. A file that is not ours,
/// damaged, from another version or that does not fit is refused, and the models already
/// loaded stay as they were.
#[wasm_bindgen]
pub fn load_models(bytes: &[u8]) -> Result<JsValue, JsError> {
    let file = WeightsFile::from_bytes(bytes).map_err(js_error)?;
    let session = with_state(|s| {
        let (train, test) = s.digits()?;
        Session::from_file(&file, train, test, s.device()?)
    })
    .map_err(js_error)?;
    let info = object(&[("models", to_js(&session.models())?), ("settings", to_js(&file.meta)?)]);
    with_state(|s| {
        s.models = session;
        s.map = None;
        s.preview = None; // the full models sample the same pictures from here on
    });
    Ok(info)
}

/// The morph strip: decodings of `steps` points on the path between the first base draws of
/// `seed_a` and `seed_b` (see `explore`), through the flow ("flow") or the generator ("wgan"),
/// of the pretrained preview while no full models are loaded.
#[wasm_bindgen]
pub async fn interpolate(model: String, seed_a: u32, seed_b: u32, steps: u32, temperature: f32) -> Result<Float32Array, JsError> {
    let kind = Kind::parse(&model).map_err(js_error)?;
    let (a, b, steps) = (u64::from(seed_a), u64::from(seed_b), steps as usize);
    if let Some(preview) = take_preview_of(kind) {
        let result = preview.path(kind, a, b, steps, temperature).await;
        put_preview(preview);
        let pixels = result.and_then(|p| p.ok_or_else(|| Error::State(format!("the preview has no {kind}"))));
        return Ok(Float32Array::from(&pixels.map_err(js_error)?[..]));
    }
    let models = take_models();
    let result = models.path(kind, a, b, steps, temperature).await;
    put_models(models);
    Ok(Float32Array::from(&result.map_err(js_error)?[..]))
}

/// Decodes the code behind a spot of the latent map (see `LatentMap::code_at`) with the
/// decoder of the model whose codes it shows. Returns `{pixels, code, nearest}`.
#[wasm_bindgen]
pub async fn latent_map_decode(x: f32, y: f32, tsne: bool) -> Result<JsValue, JsError> {
    let (source, (code, nearest)) = with_state(|s| {
        let (source, map) = s.map.as_ref().ok_or_else(|| Error::State("draw the map first".into()))?;
        Ok::<_, Error>((source.clone(), map.code_at(x, y, tsne)?))
    })
    .map_err(js_error)?;
    let trainer = take_encoder(source)?;
    let result = trainer.decode(&code).await;
    put_encoder(source, trainer);
    Ok(object(&[
        ("pixels", Float32Array::from(&result.map_err(js_error)?[..]).into()),
        ("code", Float32Array::from(&code[..]).into()),
        ("nearest", nearest.map_or(JsValue::NULL, |i| (i as f64).into())),
    ]))
}

/// Opens the FlowAE and AdvAE samplers of a models file on the CPU, without MNIST or a backend:
/// the pretrained models answer Resample, the temperature and the morph strip seconds before
/// the digits have arrived. Returns the names of the samplers it holds ("flow", "wgan").
/// Dropped when full models are loaded or training starts.
#[wasm_bindgen]
pub fn open_preview(bytes: &[u8]) -> Result<JsValue, JsError> {
    let file = WeightsFile::from_bytes(bytes).map_err(js_error)?;
    let preview = Preview::from_file(&file, &Device::flex()).map_err(js_error)?;
    let models = to_js(&preview.models())?;
    with_state(|s| s.preview = Some(preview));
    Ok(models)
}

/// The preview, when it is what answers for `kind`: no full model of that kind is loaded and
/// the preview holds one.
fn take_preview_of(kind: Kind) -> Option<Preview> {
    with_state(|s| {
        let answers = !s.models.models().contains(&kind) && s.preview.as_ref().is_some_and(|p| p.models().contains(&kind));
        if answers { s.preview.take() } else { None }
    })
}

fn put_preview(preview: Preview) {
    with_state(|s| {
        s.preview.get_or_insert(preview);
    });
}

/// Times autoencoder training on the current backend without touching the models: a fresh
/// run of `config` takes `warmup` steps (on WebGPU the first compiles its shaders), then steps
/// until `seconds` have passed (at most 1,000, and no further than the run's end), in chunks
/// grown to ~0.1 s as training runs them (one read-back and rollback snapshot per chunk).
/// Returns `{imagesPerSecond, steps}`: the images per second of the timed steps (how the page
/// picks the faster backend for a visitor, and what the benchmark compares with TF.js), and
/// every step taken, warm-up included (the benchmark divides the WebGPU work it counted by it).
#[wasm_bindgen]
pub async fn time_autoencoder(config: JsValue, warmup: u32, seconds: f64) -> Result<JsValue, JsError> {
    let config: AeTrainingConfig = serde_wasm_bindgen::from_value(config).map_err(|e| js_error(Error::Config(e.to_string())))?;
    let mut trainer = with_state(|s| s.new_trainer(config)).map_err(js_error)?;
    let batch = trainer.config().batch_size as f64;
    for _ in 0..warmup {
        trainer.run(1).await.map_err(js_error)?;
    }
    let (started, mut taken, mut chunk) = (js_sys::Date::now(), 0.0, 1);
    while taken < 1000.0 && (js_sys::Date::now() - started) < seconds * 1000.0 {
        let before = js_sys::Date::now();
        let progress = trainer.run(chunk).await.map_err(js_error)?;
        taken += progress.losses.len() as f64;
        if progress.done {
            break; // a small training set: its one epoch is what there is to time
        }
        if js_sys::Date::now() - before < 100.0 {
            chunk = (chunk * 2).min(64);
        }
    }
    let elapsed = (js_sys::Date::now() - started) / 1000.0;
    if taken == 0.0 || elapsed <= 0.0 {
        return Err(js_error(Error::State("no training step could be timed".into())));
    }
    Ok(object(&[("imagesPerSecond", (taken * batch / elapsed).into()), ("steps", (taken + f64::from(warmup)).into())]))
}
