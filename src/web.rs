//! The Web Worker's edge: one class, [`Lab`], over the library, and nothing else.
//!
//! A `Lab` owns what a page's training needs: the digits, the backend's device, every model
//! (one [`Session`]), the FCD classifier, the latent map and the pretrained preview. The calls
//! about a model take its name (a [`Kind`]'s: `start`, `train`, `samples`, `interpolate`,
//! `fcd_score`). The worker (`www/worker.js`) holds one lab and calls it one method at a time;
//! a second lab (a playground of its own) would share nothing with it.
//!
//! wasm-bindgen cannot export an `async fn` that borrows `self` (the promise outlives the
//! call), so a lab's state sits behind an `Rc` that each asynchronous method clones into its
//! promise, and what the method uses is taken out of the state for the duration of an await
//! and put back after: no borrow is held across an await. Errors come back as JS `Error`s with
//! the library's message; a panic (a bug, not bad input) is recorded so the worker can report
//! it before the page starts a fresh one.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use burn::prelude::Device;
use js_sys::{Float32Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::backend::{self, Backend};
use crate::data::Digits;
use crate::error::Error;
use crate::kind::Kind;
use crate::fcd::fcd;
use crate::map::{LatentMap, LatentMapConfig};
use crate::rng::Rng;
use crate::session::{Preview, Run, Session};
use crate::models::Classifier;
use crate::weights::WeightsFile;
use crate::train::classifier::{accuracy, read};
use crate::train::phase::Look;
use crate::sample::Sampler;
use crate::train::{AeTrainer, AeTrainingConfig};

/// Why a call that needs the digits or a backend cannot run yet.
const NO_DIGITS: &str = "MNIST is not loaded yet";
const NO_BACKEND: &str = "no backend selected";

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
    /// The pretrained samplers drawn before MNIST has arrived (see [`Lab::open_preview`]).
    preview: Option<Preview>,
    /// The good models of a file with some broken ones, until the visitor says whether to
    /// load them (see [`Lab::load_models`]).
    pending: Option<Session>,
}

impl State {
    fn device(&self) -> Result<&Device, Error> {
        self.device.as_ref().ok_or_else(|| Error::State(NO_BACKEND.into()))
    }

    /// The training and test digits, once loaded.
    fn digits(&self) -> Result<(&Digits, &Digits), Error> {
        match (&self.train, &self.test) {
            (Some(train), Some(test)) => Ok((train, test)),
            _ => Err(Error::State(NO_DIGITS.into())),
        }
    }

    /// Makes `session` the models held: the map of the old ones and the preview go.
    fn install(&mut self, session: Session) {
        self.models = session;
        self.map = None;
        self.preview = None; // the full models sample the same pictures from here on
        self.pending = None;
    }

    /// A fresh autoencoder run (the autoencoder, a baseline, or a timing) on these digits and
    /// this backend.
    fn new_trainer(&self, config: AeTrainingConfig) -> Result<AeTrainer, Error> {
        let (train, test) = self.digits()?;
        AeTrainer::new(config, train, test, self.device()?)
    }
}

/// A page's lab (see the module's documentation).
#[wasm_bindgen]
#[derive(Default)]
pub struct Lab {
    shared: Shared,
}

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// A method's work as a JS promise: its value, or a JS `Error` with the library's message.
fn promise<T: Into<JsValue>>(work: impl Future<Output = Result<T, JsError>> + 'static) -> Promise {
    future_to_promise(async move { work.await.map(Into::into).map_err(Into::into) })
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

/// Whether a models file holds a model trained on grayscale pixels, so that the grayscale
/// digits must be loaded before it. A file that cannot be read says no; loading it reports why.
#[wasm_bindgen]
pub fn models_need_grayscale(bytes: &[u8]) -> bool {
    WeightsFile::from_bytes(bytes).is_ok_and(|file| crate::session::needs_grayscale(&file))
}

fn counts_object(train: usize, test: usize) -> JsValue {
    object(&[("train", (train as f64).into()), ("test", (test as f64).into())])
}

/// What the page builds itself from, declared once in the library: the settings table
/// ([`crate::settings`]: every hyper-parameter's name, label, bounds and default) and the models
/// ([`Kind::described`]: names, labels, the paper's FCD), the presets of their defaults
/// ([`crate::preset`]) and the run lengths ([`crate::length`]). The build writes it to
/// www/pkg/tables.js, so the page has it before any WebAssembly has downloaded.
#[wasm_bindgen]
pub fn tables() -> Result<JsValue, JsError> {
    to_js(&serde_json::json!({
        "settings": crate::settings::described(), "models": Kind::described(), "presets": crate::preset::Preset::described(),
        "lengths": crate::length::Length::described(), "sure": crate::train::classifier::SURE,
    }))
}

/// A JS value as JSON, exactly as `JSON.stringify` writes it (whole numbers stay whole).
fn json_of(value: &JsValue) -> Result<serde_json::Value, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(serde_json::json!({}));
    }
    let text = js_sys::JSON::stringify(value).map_err(|_| Error::Config("the settings are not plain data".into()))?;
    serde_json::from_str(&String::from(text)).map_err(|e| Error::Config(format!("the settings are not understood: {e}")))
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

/// A plain JS object with these properties.
fn object(properties: &[(&str, JsValue)]) -> JsValue {
    let obj = js_sys::Object::new();
    for (key, value) in properties {
        let _ = js_sys::Reflect::set(&obj, &(*key).into(), value);
    }
    obj.into()
}


/// What the lab's methods share: its state, borrowed for a moment at a time.
#[derive(Clone, Default)]
struct Shared(Rc<RefCell<State>>);

impl Shared {
    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.0.borrow_mut())
    }

    fn keep_digits(&self, train: Digits, test: Digits) -> JsValue {
        let counts = counts_object(train.len(), test.len());
        self.with(|s| {
            s.train = Some(train);
            s.test = Some(test);
        });
        counts
    }

    /// Takes every model out, for a call that reads them across an await. The worker runs one
    /// call at a time (its commands wait in a queue between chunks), so nothing else is
    /// looking for them meanwhile; [`Shared::put_models`] puts them back.
    fn take_models(&self) -> Session {
        self.with(|s| std::mem::take(&mut s.models))
    }

    fn put_models(&self, models: Session) {
        self.with(|s| s.models = models);
    }

    fn classifier_and_device(&self) -> Result<(Classifier, Device), Error> {
        self.with(|s| {
            let classifier = s.classifier.clone().ok_or_else(|| Error::State("the classifier is not loaded".into()))?;
            Ok((classifier, s.device()?.clone()))
        })
    }

    /// The autoencoder or a baseline (the models that reconstruct digits, and whose codes a
    /// map shows), taken out for a call that reads it across an await; [`Shared::put_encoder`]
    /// puts it back. The worker runs one call at a time, so nothing looks for it meanwhile.
    fn take_encoder(&self, kind: Kind) -> Result<AeTrainer, JsError> {
        self.with(|s| match s.models.take(kind) {
            Some(Run::Encoder(trainer)) => Ok(trainer),
            other => {
                if let Some(run) = other {
                    s.models.insert(kind, run); // not an encoder: left as it was
                }
                Err(js_error(Error::State(format!("no {} has been started", kind.description()))))
            }
        })
    }

    fn put_encoder(&self, kind: Kind, trainer: AeTrainer) {
        self.with(|s| s.models.insert(kind, Run::Encoder(trainer)));
    }

    /// `kind`'s sampler: the pretrained preview's while no full model of that kind is loaded
    /// and the preview holds one, else the session's. A copy (modules share their tensors),
    /// so no borrow is held across the awaits that read its samples back.
    fn sampler(&self, kind: Kind) -> Result<Sampler, JsError> {
        self.with(|s| {
            let preview = s.preview.as_ref().filter(|_| !s.models.models().contains(&kind)).and_then(|p| p.sampler(kind));
            match preview {
                Some(sampler) => Ok(sampler.clone()),
                None => s.models.sampler(kind),
            }
        })
        .map_err(js_error)
    }
}

#[wasm_bindgen]
impl Lab {
    /// An empty lab: no digits, no backend, no models yet.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Lab {
        Lab::default()
    }

    /// Parses the four MNIST IDX files (already decompressed): the grayscale digits, fetched only
    /// when a model asks for grayscale pixels. Replaces the digits loaded before. Returns
    /// `{train, test}`, the number of digits in each.
    pub fn load_mnist(&self, train_images: &[u8], train_labels: &[u8], test_images: &[u8], test_labels: &[u8]) -> Result<JsValue, JsError> {
        let lab = &self.shared;
        let train = Digits::from_idx(train_images, train_labels)
            .map_err(|e| js_error(Error::Data(format!("training set: {e}"))))?;
        let test = Digits::from_idx(test_images, test_labels)
            .map_err(|e| js_error(Error::Data(format!("test set: {e}"))))?;
        Ok(lab.keep_digits(train, test))
    }

    /// Parses the binarized, packed training and test digits (`tools/pack-mnist.mjs`, already
    /// decompressed): what the page downloads first. Returns `{train, test}`.
    pub fn load_mnist_binarized(&self, train: &[u8], test: &[u8]) -> Result<JsValue, JsError> {
        let lab = &self.shared;
        let train = Digits::from_packed(train).map_err(|e| js_error(Error::Data(format!("training set: {e}"))))?;
        let test = Digits::from_packed(test).map_err(|e| js_error(Error::Data(format!("test set: {e}"))))?;
        Ok(lab.keep_digits(train, test))
    }

    /// Whether the digits loaded are the grayscale originals (else they are binarized only).
    pub fn grayscale_loaded(&self) -> bool {
        let lab = &self.shared;
        lab.with(|s| s.train.as_ref().is_some_and(Digits::has_grayscale))
    }

    /// Chooses the backend ("gpu" or "cpu") for the next run, initializing WebGPU on first use.
    /// Drops any run in progress: its tensors live on the old device.
    pub fn select_backend(&self, name: String) -> Promise {
        let lab = self.shared.clone();
        promise(async move {
            let backend = Backend::parse(&name).map_err(js_error)?;
            let device = backend::device(backend).await.map_err(js_error)?;
            lab.with(|s| {
                s.models.clear();
                s.pending = None;
                s.classifier = s.classifier_file.as_ref().and_then(|file| Classifier::from_file(file, &device).ok());
                s.device = Some(device);
            });
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Starts a fresh run of `model` (a [`Kind`]'s name) with `config`, any subset of its settings
    /// (see [`Session::start`]). Returns the settings in force and the steps per epoch.
    pub fn start(&self, model: String, config: JsValue) -> Result<JsValue, JsError> {
        let lab = &self.shared;
        let kind = Kind::parse(&model).map_err(js_error)?;
        let config = json_of(&config).map_err(js_error)?;
        let started = lab.with(|s| {
            // The fields one by one, so the models can change while the digits are lent out.
            let (Some(train), Some(test)) = (&s.train, &s.test) else {
                return Err(Error::State(NO_DIGITS.into()));
            };
            let device = s.device.as_ref().ok_or_else(|| Error::State(NO_BACKEND.into()))?;
            s.models.start(kind, config, train, test, device)
        })
        .map_err(js_error)?;
        if kind == Kind::Autoencoder {
            lab.with(|s| s.preview = None); // the new autoencoder's samples replace the pretrained ones
        }
        to_js(&started)
    }

    /// Runs at most `units` units of work of `model`'s run; returns its progress (see
    /// [`progress_js`] for `look`).
    pub fn train(&self, model: String, units: u32, look: JsValue) -> Promise {
        let lab = self.shared.clone();
        promise(async move {
            let kind = Kind::parse(&model).map_err(js_error)?;
            let look = look_from(look)?;
            let mut models = lab.take_models();
            let result = models.train(kind, units as usize, look.as_ref()).await;
            lab.put_models(models);
            progress_js(result.map_err(js_error)?)
        })
    }

    /// Forgets the autoencoder run, every model fitted to its codes, and the baselines.
    pub fn reset(&self) {
        let lab = &self.shared;
        lab.with(|s| {
            s.preview = None;
            s.pending = None;
            s.models.clear();
        });
    }

    /// `count` samples of `model` (a [`Kind`]'s name) from `seed`, as pixel probabilities (see
    /// [`Session::samples`]; `temperature` applies to the flow and the WGAN), drawn by the
    /// pretrained preview while no full model of that name is loaded.
    pub fn samples(&self, model: String, count: u32, temperature: f32, seed: u32) -> Promise {
        let lab = self.shared.clone();
        promise(async move {
            let sampler = lab.sampler(Kind::parse(&model).map_err(js_error)?)?;
            let pixels = sampler.samples(count as usize, temperature, u64::from(seed)).await.map_err(js_error)?;
            Ok(Float32Array::from(&pixels[..]))
        })
    }

    /// The first `count` test digits and their reconstructions: `{inputs, outputs}`, each a
    /// Float32Array of `count × 784` values in [0, 1].
    pub fn reconstructions(&self, count: u32) -> Promise {
        let lab = self.shared.clone();
        promise(async move {
            let trainer = lab.take_encoder(Kind::Autoencoder)?;
            let result = trainer.reconstructions(count as usize).await;
            lab.put_encoder(Kind::Autoencoder, trainer);
            let r = result.map_err(js_error)?;
            Ok(object(&[("inputs", Float32Array::from(&r.inputs[..]).into()), ("outputs", Float32Array::from(&r.outputs[..]).into())]))
        })
    }

    /// The flow's largest round-trip error |F⁻¹(F(z0)) − z0| over `count` draws, on its device.
    pub fn flow_round_trip_error(&self, count: u32) -> Promise {
        let lab = self.shared.clone();
        promise(async move {
            let sampler = lab.with(|s| s.models.sampler(Kind::Flow)).map_err(js_error)?;
            sampler.round_trip_error(count as usize, 7).await.map_err(js_error)
        })
    }

    /// Loads the FCD classifier from its weights file (www/models/classifier.bin) onto the current
    /// device. Returns what the file records about it (its test accuracy). A bad file is refused
    /// and any classifier already loaded stays.
    pub fn load_classifier(&self, bytes: &[u8]) -> Result<JsValue, JsError> {
        let lab = &self.shared;
        let file = WeightsFile::from_bytes(bytes).map_err(js_error)?;
        let classifier = lab.with(|s| Classifier::from_file(&file, s.device()?)).map_err(js_error)?;
        let meta = to_js(&file.meta)?;
        lab.with(|s| {
            s.classifier = Some(classifier);
            s.classifier_file = Some(file);
        });
        Ok(meta)
    }

    /// The classifier's accuracy on the first `count` test digits (binarized), on the current device.
    pub fn classifier_accuracy(&self, count: u32) -> Promise {
        let lab = self.shared.clone();
        promise(async move {
            let (classifier, device) = lab.classifier_and_device().map_err(js_error)?;
            let test = lab.with(|s| s.test.as_ref().map(|t| t.take(count as usize))).ok_or_else(|| js_error(Error::State(NO_DIGITS.into())))?;
            accuracy(&classifier, &test, &device).await.map_err(js_error)
        })
    }

    /// How the classifier reads `images` (pixel values in [0, 1], 784 each): `[{digit,
    /// confidence}, …]`, for a sample grid's caption.
    pub fn read_digits(&self, images: Vec<f32>) -> Promise {
        let lab = self.shared.clone();
        promise(async move {
            let (classifier, device) = lab.classifier_and_device().map_err(js_error)?;
            to_js(&read(&classifier, &images, &device).await.map_err(js_error)?)
        })
    }

    /// The FCD of `count` samples of `model` (a [`Kind`]'s name or label: "prior" is the
    /// autoencoder decoding z ~ N(0, I); or "real": training digits) against the first `count`
    /// test digits.
    pub fn fcd_score(&self, model: String, count: u32, seed: u32) -> Promise {
        let lab = self.shared.clone();
        promise(async move {
            let (classifier, device) = lab.classifier_and_device().map_err(js_error)?;
            let count = count as usize;
            let (test, train) = lab.with(|s| (s.test.as_ref().map(|t| t.take(count)), s.train.as_ref().map(|t| t.take(count))));
            let (Some(test), Some(train)) = (test, train) else {
                return Err(js_error(Error::State(NO_DIGITS.into())));
            };
            if count < 2 || count > test.len() {
                return Err(js_error(Error::Config(format!("the FCD needs 2 to {} samples, not {count}", test.len()))));
            }
            let all: Vec<usize> = (0..count).collect();
            let grayscale = crate::data::Pixels::Grayscale; // binarized inside the FCD, like the samples
            let samples = if model == "real" {
                train.batch(&all, grayscale)
            } else {
                let sampler = lab.with(|s| s.models.sampler(Kind::parse(&model)?)).map_err(js_error)?;
                sampler.samples(count, 1.0, u64::from(seed)).await.map_err(js_error)?
            };
            fcd(&classifier, &samples, &test.batch(&all, grayscale), &device).await.map_err(js_error)
        })
    }

    /// Starts a latent map: encodes `digits` test digits with the chosen model ("ae", "vae" or
    /// "aae"), adds `overlay` codes from each model that can make them (the flow and the WGAN, and
    /// N(0, I) draws, which is what every sampler decodes without a latent model), and prepares
    /// t-SNE. Returns `{labels, overlays, preview, code_agreement, iterations}`; the preview is the
    /// PCA picture, there at once.
    pub fn new_latent_map(&self, config: JsValue) -> Promise {
        let lab = self.shared.clone();
        promise(async move {
            let config: LatentMapConfig = serde_wasm_bindgen::from_value(config).map_err(|e| js_error(Error::Config(e.to_string())))?;
            config.validate().map_err(js_error)?;
            lab.with(|s| s.map = None);
            let source = lab.take_encoder(config.source)?;
            let result = source.test_codes(config.digits).await;
            let dim = source.config().model.latent;
            lab.put_encoder(config.source, source);
            let (codes, labels) = result.map_err(js_error)?;
            let mut overlays = Vec::new();
            if config.source == Kind::Autoencoder && config.overlay > 0 {
                for kind in [Kind::Flow, Kind::Wgan] {
                    // A flow or WGAN still encoding the digits cannot sample yet; it is left out,
                    // not an error; so are codes that are not numbers.
                    let Ok(sampler) = lab.with(|s| s.models.sampler(kind)) else { continue };
                    if let Ok(codes) = sampler.codes(config.overlay, 1.0, config.seed).await {
                        overlays.push((kind.name().to_string(), codes));
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
            lab.with(|s| s.map = Some((config.source.clone(), map)));
            Ok(info)
        })
    }

    /// Runs up to `iterations` more t-SNE iterations of the current map. Returns `{iteration,
    /// done, embedding}`, and `agreement` (how often a digit's neighbours on the map share its
    /// label) once done.
    pub fn latent_map_step(&self, iterations: u32) -> Result<JsValue, JsError> {
        let lab = &self.shared;
        lab.with(|s| {
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
    pub fn save_models(&self) -> Promise {
        let lab = self.shared.clone();
        promise(async move {
            let session = lab.take_models();
            let result = session.to_file(serde_json::json!({ "made_by": "the page" })).await;
            lab.put_models(session);
            Ok(js_sys::Uint8Array::from(&result.map_err(js_error)?.to_bytes()[..]))
        })
    }

    /// Opens a models file on the current backend and checks every model in it by its samples
    /// (see `Session::open` and `Opened::checked`). When every model loads and samples, they
    /// replace the models held now. When some do not, nothing is replaced yet: the good ones
    /// wait until [`Lab::accept_pending`] (the visitor agreed) or [`Lab::discard_pending`].
    /// Resolves to `{models, settings, broken: [{model, message}], pending}`: the models that
    /// are (or would be) loaded, the settings of every model the file holds, and what is wrong
    /// with the others. A file that is not ours, damaged as a whole, from another version, or
    /// of which no model can be used is refused, and the models already loaded stay.
    pub fn load_models(&self, bytes: &[u8]) -> Promise {
        let lab = self.shared.clone();
        let file = WeightsFile::from_bytes(bytes);
        promise(async move {
            let file = file.map_err(js_error)?;
            let opened = lab
                .with(|s| {
                    let (train, test) = s.digits()?;
                    Session::open(&file, train, test, s.device()?)
                })
                .map_err(js_error)?;
            let opened = opened.checked().await;
            let models = opened.session.models();
            if models.is_empty() {
                return Err(js_error(Error::Data(format!("no model in the file can be used: {}", opened.problems()))));
            }
            let broken: Vec<serde_json::Value> = opened
                .broken
                .iter()
                .map(|b| serde_json::json!({ "model": b.kind.name(), "message": format!("{}", b.error) }))
                .collect();
            let pending = !broken.is_empty();
            let info = object(&[
                ("models", to_js(&models)?),
                ("settings", to_js(&file.meta)?),
                ("broken", to_js(&broken)?),
                ("pending", pending.into()),
            ]);
            lab.with(|s| {
                if pending {
                    s.pending = Some(opened.session);
                } else {
                    s.install(opened.session);
                }
            });
            Ok(info)
        })
    }

    /// The good models of the last file opened with some broken ones (see [`Lab::load_models`])
    /// replace the models held now. Returns their names.
    pub fn accept_pending(&self) -> Result<JsValue, JsError> {
        let lab = &self.shared;
        let session = lab.with(|s| s.pending.take()).ok_or_else(|| js_error(Error::State("no models file is waiting to be loaded".into())))?;
        let models = to_js(&session.models())?;
        lab.with(|s| s.install(session));
        Ok(models)
    }

    /// Forgets the models of a file that was waiting (see [`Lab::load_models`]); the models
    /// held stay as they were.
    pub fn discard_pending(&self) {
        self.shared.with(|s| s.pending = None);
    }

    /// The morph strip: decodings of `steps` points on the path between the first base draws of
    /// `seed_a` and `seed_b` (see `explore`), through the flow ("flow") or the generator ("wgan"),
    /// of the pretrained preview while no full models are loaded.
    pub fn interpolate(&self, model: String, seed_a: u32, seed_b: u32, steps: u32, temperature: f32) -> Promise {
        let lab = self.shared.clone();
        promise(async move {
            let kind = Kind::parse(&model).map_err(js_error)?;
            let (a, b, steps) = (u64::from(seed_a), u64::from(seed_b), steps as usize);
            let sampler = lab.sampler(kind)?;
            let result = sampler.morph(a, b, steps, temperature).await;
            Ok(Float32Array::from(&result.map_err(js_error)?[..]))
        })
    }

    /// Decodes the code behind a spot of the latent map (see `LatentMap::code_at`) with the
    /// decoder of the model whose codes it shows. Returns `{pixels, code, nearest}`.
    pub fn latent_map_decode(&self, x: f32, y: f32, tsne: bool) -> Promise {
        let lab = self.shared.clone();
        promise(async move {
            let (source, (code, nearest)) = lab.with(|s| {
                let (source, map) = s.map.as_ref().ok_or_else(|| Error::State("draw the map first".into()))?;
                Ok::<_, Error>((source.clone(), map.code_at(x, y, tsne)?))
            })
            .map_err(js_error)?;
            let sampler = lab.with(|s| s.models.sampler(source)).map_err(js_error)?;
            let result = sampler.decode(&code).await;
            Ok(object(&[
                ("pixels", Float32Array::from(&result.map_err(js_error)?[..]).into()),
                ("code", Float32Array::from(&code[..]).into()),
                ("nearest", nearest.map_or(JsValue::NULL, |i| (i as f64).into())),
            ]))
        })
    }

    /// Opens the FlowAE and AdvAE samplers of a models file on the CPU, without MNIST or a backend:
    /// the pretrained models answer Resample, the temperature and the morph strip seconds before
    /// the digits have arrived. Returns the names of the samplers it holds ("flow", "wgan").
    /// Dropped when full models are loaded or training starts.
    pub fn open_preview(&self, bytes: &[u8]) -> Result<JsValue, JsError> {
        let lab = &self.shared;
        let file = WeightsFile::from_bytes(bytes).map_err(js_error)?;
        let preview = Preview::from_file(&file, &Device::flex()).map_err(js_error)?;
        let models = to_js(&preview.models())?;
        lab.with(|s| s.preview = Some(preview));
        Ok(models)
    }

    /// Times autoencoder training on the current backend without touching the models: a fresh
    /// run of `config` takes `warmup` steps (on WebGPU the first compiles its shaders), then steps
    /// until `seconds` have passed (at most 1,000, and no further than the run's end), in chunks
    /// grown to ~0.1 s as training runs them (one read-back and rollback snapshot per chunk).
    /// Returns `{imagesPerSecond, steps}`: the images per second of the timed steps (how the page
    /// picks the faster backend for a visitor, and what the benchmark compares with TF.js), and
    /// every step taken, warm-up included (the benchmark divides the WebGPU work it counted by it).
    pub fn time_autoencoder(&self, config: JsValue, warmup: u32, seconds: f64) -> Promise {
        let lab = self.shared.clone();
        promise(async move {
            let config: AeTrainingConfig = serde_wasm_bindgen::from_value(config).map_err(|e| js_error(Error::Config(e.to_string())))?;
            let mut trainer = lab.with(|s| s.new_trainer(config)).map_err(js_error)?;
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
        })
    }
}
