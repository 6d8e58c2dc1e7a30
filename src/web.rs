//! The Web Worker's edge: the class `Lab` over [`crate::lab::Lab`], and nothing else.
//!
//! Each method converts between JS and Rust and calls the lab, where the page's state and
//! logic live (and are tested natively). wasm-bindgen cannot export an `async fn` that borrows
//! `self` (the promise outlives the call), so an asynchronous method clones the lab (a handle)
//! into its promise. Errors come back as JS `Error`s with the library's message; a panic (a
//! bug, not bad input) is recorded so the worker can report it before the page starts a fresh
//! one. The worker (`www/worker.js`) holds one lab.

use std::cell::RefCell;
use std::future::Future;

use js_sys::{Float32Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::error::Error;
use crate::kind::Kind;
use crate::lab::Lab;
use crate::map::LatentMapConfig;
use crate::train::AeTrainingConfig;
use crate::train::phase::Look;
use crate::weights::WeightsFile;

/// A page's lab (see [`crate::lab`]): the worker's one object. Each method converts its
/// arguments from JS, calls the lab, and converts the result back.
#[wasm_bindgen(js_name = Lab)]
#[derive(Default)]
pub struct WebLab {
    lab: Lab,
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

/// A visitor's picture (`width × height` RGBA bytes, as a canvas gives them) as one 28 × 28
/// input the MNIST way (see [`crate::digitize::picture`]): 784 bytes, or why it cannot be one.
#[wasm_bindgen]
pub fn digitize_picture(rgba: &[u8], width: u32, height: u32) -> Result<Vec<u8>, JsError> {
    crate::digitize::picture(rgba, width as usize, height as usize).map_err(js_error)
}

/// Whether a models file holds a model trained on grayscale pixels, so that the grayscale
/// digits must be loaded before it. A file that cannot be read says no; loading it reports why.
#[wasm_bindgen]
pub fn models_need_grayscale(bytes: &[u8]) -> bool {
    WeightsFile::from_bytes(bytes).is_ok_and(|file| crate::session::needs_grayscale(&file))
}

/// What the page builds itself from, declared once in the library: the settings table
/// ([`crate::settings`]: every hyper-parameter's name, label, bounds and default) and the models
/// ([`Kind::described`]: names, labels, the paper's FCD), the presets of their defaults
/// ([`crate::preset`]), the run lengths ([`crate::length`]), the data sets ([`crate::dataset`])
/// and the 2-D lab's ([`crate::toy`]). The build writes it to
/// www/pkg/tables.js, so the page has it before any WebAssembly has downloaded.
#[wasm_bindgen]
pub fn tables() -> Result<JsValue, JsError> {
    to_js(&serde_json::json!({
        "settings": crate::settings::described(), "models": Kind::described(), "presets": crate::preset::Preset::described(),
        "lengths": crate::length::Length::described(), "sure": crate::train::classifier::SURE,
        "toys": crate::toy::Toy::described(), "dataSets": crate::dataset::DataSet::described(),
        "fcdFeatures": crate::models::classifier::FEATURES,
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

/// A walk ([`crate::walk::Walk`]) as `{names, planes: [Float32Array], log_dets, tracked,
/// digits, labels, backwards}`: what the page draws (the stages in full stay here).
fn walk_js(walk: crate::walk::Walk) -> Result<JsValue, JsError> {
    let planes: js_sys::Array = walk.planes.iter().map(|p| JsValue::from(Float32Array::from(&p[..]))).collect();
    Ok(object(&[
        ("names", to_js(&walk.names)?),
        ("planes", planes.into()),
        ("log_dets", Float32Array::from(&walk.log_dets[..]).into()),
        ("tracked", Float32Array::from(&walk.tracked[..]).into()),
        ("digits", Float32Array::from(&walk.digits[..]).into()),
        ("labels", js_sys::Uint8Array::from(&walk.labels[..]).into()),
        ("backwards", walk.backwards.into()),
    ]))
}

/// A plain JS object with these properties.
fn object(properties: &[(&str, JsValue)]) -> JsValue {
    let obj = js_sys::Object::new();
    for (key, value) in properties {
        let _ = js_sys::Reflect::set(&obj, &(*key).into(), value);
    }
    obj.into()
}


#[wasm_bindgen(js_class = Lab)]
impl WebLab {
    /// An empty lab: no digits, no backend, no models yet.
    #[wasm_bindgen(constructor)]
    pub fn new() -> WebLab {
        WebLab::default()
    }

    /// See [`Lab::load_idx`]. Returns `{train, test}`, the number of images in each.
    pub fn load_idx(&self, set: String, train_images: &[u8], train_labels: &[u8], test_images: &[u8], test_labels: &[u8]) -> Result<JsValue, JsError> {
        to_js(&self.lab.load_idx(&set, train_images, train_labels, test_images, test_labels).map_err(js_error)?)
    }

    /// See [`Lab::load_packed`]. Returns `{train, test}`.
    pub fn load_packed(&self, set: String, train: &[u8], test: &[u8]) -> Result<JsValue, JsError> {
        to_js(&self.lab.load_packed(&set, train, test).map_err(js_error)?)
    }

    /// See [`Lab::load_own`]. Returns `{train, test}`.
    pub fn load_own(&self, pixels: &[u8], labels: &[u8]) -> Result<JsValue, JsError> {
        to_js(&self.lab.load_own(pixels, labels).map_err(js_error)?)
    }

    pub fn grayscale_loaded(&self) -> bool {
        self.lab.grayscale_loaded()
    }

    /// See [`Lab::select_backend`]: "gpu" or "cpu".
    pub fn select_backend(&self, name: String) -> Promise {
        let lab = self.lab.clone();
        promise(async move {
            lab.select_backend(&name).await.map_err(js_error)?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Starts a fresh run of `model` (a [`Kind`]'s name) with `config`, any subset of its
    /// settings (see [`Lab::start`]). Returns `[settings in force, steps per epoch]`.
    pub fn start(&self, model: String, config: JsValue) -> Result<JsValue, JsError> {
        let kind = Kind::parse(&model).map_err(js_error)?;
        let config = json_of(&config).map_err(js_error)?;
        to_js(&self.lab.start(kind, config).map_err(js_error)?)
    }

    /// Runs at most `units` units of work of `model`'s run; returns its progress (see
    /// [`progress_js`] for `look`).
    pub fn train(&self, model: String, units: u32, look: JsValue) -> Promise {
        let lab = self.lab.clone();
        promise(async move {
            let kind = Kind::parse(&model).map_err(js_error)?;
            let look = look_from(look)?;
            progress_js(lab.train(kind, units as usize, look.as_ref()).await.map_err(js_error)?)
        })
    }

    /// See [`Lab::reset`].
    pub fn reset(&self) {
        self.lab.reset();
    }

    /// See [`Lab::samples`]: a Float32Array of `count × 784` pixel probabilities.
    pub fn samples(&self, model: String, count: u32, temperature: f32, seed: u32) -> Promise {
        let lab = self.lab.clone();
        promise(async move {
            let kind = Kind::parse(&model).map_err(js_error)?;
            let pixels = lab.samples(kind, count as usize, temperature, u64::from(seed)).await.map_err(js_error)?;
            Ok(Float32Array::from(&pixels[..]))
        })
    }

    /// See [`Lab::samples_npy`]: the bytes of a `.npy` file (Uint8Array).
    pub fn samples_npy(&self, model: String, temperature: f32, seed: u32) -> Promise {
        let lab = self.lab.clone();
        promise(async move {
            let kind = Kind::parse(&model).map_err(js_error)?;
            let bytes = lab.samples_npy(kind, temperature, u64::from(seed)).await.map_err(js_error)?;
            Ok(js_sys::Uint8Array::from(&bytes[..]))
        })
    }

    /// The first `count` test digits and their reconstructions: `{inputs, outputs}`, each a
    /// Float32Array of `count × 784` values in [0, 1].
    pub fn reconstructions(&self, count: u32) -> Promise {
        let lab = self.lab.clone();
        promise(async move {
            let r = lab.reconstructions(count as usize).await.map_err(js_error)?;
            Ok(object(&[("inputs", Float32Array::from(&r.inputs[..]).into()), ("outputs", Float32Array::from(&r.outputs[..]).into())]))
        })
    }

    /// See [`Lab::flow_round_trip_error`].
    pub fn flow_round_trip_error(&self, count: u32) -> Promise {
        let lab = self.lab.clone();
        promise(async move { lab.flow_round_trip_error(count as usize).await.map_err(js_error) })
    }

    /// See [`Lab::load_classifier`]: what the file records about the classifier.
    pub fn load_classifier(&self, bytes: &[u8]) -> Result<JsValue, JsError> {
        to_js(&self.lab.load_classifier(bytes).map_err(js_error)?)
    }

    /// See [`Lab::classifier_accuracy`].
    pub fn classifier_accuracy(&self, count: u32) -> Promise {
        let lab = self.lab.clone();
        promise(async move { lab.classifier_accuracy(count as usize).await.map_err(js_error) })
    }

    /// How the classifier reads `images` (pixel values in [0, 1], 784 each): `[{digit,
    /// confidence}, …]`, for a sample grid's caption.
    pub fn read_digits(&self, images: Vec<f32>) -> Promise {
        let lab = self.lab.clone();
        promise(async move { to_js(&lab.read_digits(&images).await.map_err(js_error)?) })
    }

    /// The FCD of `count` samples of `model` (a [`Kind`]'s name or label: "prior" is the
    /// autoencoder decoding z ~ N(0, I); or "real": training digits) against the first `count`
    /// test digits (see [`Lab::fcd_score`]).
    pub fn fcd_score(&self, model: String, count: u32, seed: u32) -> Promise {
        let lab = self.lab.clone();
        promise(async move {
            let model = if model == "real" { None } else { Some(Kind::parse(&model).map_err(js_error)?) };
            lab.fcd_score(model, count as usize, u64::from(seed)).await.map_err(js_error)
        })
    }

    /// Starts a latent map (see [`Lab::new_latent_map`]); `config` is a [`LatentMapConfig`].
    /// Returns `{labels, overlays, preview, code_agreement, iterations}`.
    pub fn new_latent_map(&self, config: JsValue) -> Promise {
        let lab = self.lab.clone();
        promise(async move {
            let config: LatentMapConfig = serde_wasm_bindgen::from_value(config).map_err(|e| js_error(Error::Config(e.to_string())))?;
            let map = lab.new_latent_map(config).await.map_err(js_error)?;
            Ok(object(&[
                ("labels", js_sys::Uint8Array::from(&map.labels[..]).into()),
                ("overlays", to_js(&map.overlays)?),
                ("preview", Float32Array::from(&map.preview[..]).into()),
                ("code_agreement", map.code_agreement.into()),
                ("iterations", (map.iterations as f64).into()),
            ]))
        })
    }

    /// Runs up to `iterations` more t-SNE iterations of the current map. Returns `{iteration,
    /// done, embedding}`, and `agreement` once done.
    pub fn latent_map_step(&self, iterations: u32) -> Result<JsValue, JsError> {
        let step = self.lab.latent_map_step(iterations as usize).map_err(js_error)?;
        Ok(object(&[
            ("iteration", (step.iteration as f64).into()),
            ("done", step.done.into()),
            ("embedding", Float32Array::from(&step.embedding[..]).into()),
            ("agreement", step.agreement.map_or(JsValue::UNDEFINED, JsValue::from)),
        ]))
    }

    /// Every model in the worker as one file: the bytes to download or keep.
    pub fn save_models(&self) -> Promise {
        let lab = self.lab.clone();
        promise(async move { Ok(js_sys::Uint8Array::from(&lab.save_models().await.map_err(js_error)?[..])) })
    }

    /// See [`Lab::load_models`]. Resolves to `{models, settings, broken: [{model, message}],
    /// pending}`.
    pub fn load_models(&self, bytes: Vec<u8>) -> Promise {
        let lab = self.lab.clone();
        promise(async move { to_js(&lab.load_models(&bytes).await.map_err(js_error)?) })
    }

    /// See [`Lab::accept_pending`]. Returns the names of the models now held.
    pub fn accept_pending(&self) -> Result<JsValue, JsError> {
        to_js(&self.lab.accept_pending().map_err(js_error)?)
    }

    /// See [`Lab::discard_pending`].
    pub fn discard_pending(&self) {
        self.lab.discard_pending();
    }

    /// The morph strip (see [`Lab::interpolate`]) through "flow" or "wgan".
    pub fn interpolate(&self, model: String, seed_a: u32, seed_b: u32, steps: u32, temperature: f32) -> Promise {
        let lab = self.lab.clone();
        promise(async move {
            let kind = Kind::parse(&model).map_err(js_error)?;
            let pixels = lab.interpolate(kind, u64::from(seed_a), u64::from(seed_b), steps as usize, temperature).await.map_err(js_error)?;
            Ok(Float32Array::from(&pixels[..]))
        })
    }

    /// See [`Lab::latent_map_decode`]. Returns `{pixels, code, nearest}`.
    pub fn latent_map_decode(&self, x: f32, y: f32, tsne: bool) -> Promise {
        let lab = self.lab.clone();
        promise(async move {
            let decoded = lab.latent_map_decode(x, y, tsne).await.map_err(js_error)?;
            Ok(object(&[
                ("pixels", Float32Array::from(&decoded.pixels[..]).into()),
                ("code", Float32Array::from(&decoded.code[..]).into()),
                ("nearest", decoded.nearest.map_or(JsValue::NULL, |i| (i as f64).into())),
            ]))
        })
    }

    /// See [`Lab::open_preview`]. Returns the names of the samplers it holds ("flow", "wgan").
    pub fn open_preview(&self, bytes: &[u8]) -> Result<JsValue, JsError> {
        to_js(&self.lab.open_preview(bytes).map_err(js_error)?)
    }

    /// A drawing read by the models (see [`Lab::inspect`]): `ink` is `width × height` values in
    /// [0, 1]. Returns the reading ([`crate::inspect::Inspection`]'s fields; `input`, `code`
    /// and `reconstruction` as Float32Arrays), `nearest_pixels` (a Float32Array of 784 per
    /// nearest training digit), `place` (`[pca x, pca y, t-SNE x, t-SNE y]` or null) and
    /// `pretrained` (read by the pretrained models).
    pub fn inspect(&self, ink: Vec<f32>, width: u32, height: u32) -> Promise {
        let lab = self.lab.clone();
        promise(async move {
            let drawn = lab.inspect(&ink, width as usize, height as usize).await.map_err(js_error)?;
            let value = to_js(&drawn.reading)?;
            let r = &drawn.reading;
            for (key, values) in [("input", &r.input), ("code", &r.code), ("reconstruction", &r.reconstruction), ("nearest_pixels", &drawn.nearest_pixels)] {
                let _ = js_sys::Reflect::set(&value, &key.into(), &Float32Array::from(&values[..]));
            }
            let _ = js_sys::Reflect::set(&value, &"place".into(), &to_js(&drawn.place)?);
            let _ = js_sys::Reflect::set(&value, &"pretrained".into(), &drawn.pretrained.into());
            Ok(value)
        })
    }

    /// FlowAE's flow layer by layer (see [`Lab::flow_walk`]): `count` base draws. Returns
    /// [`walk_js`]'s object.
    pub fn flow_walk(&self, count: u32, temperature: f32, seed: u32) -> Promise {
        let lab = self.lab.clone();
        promise(async move { walk_js(lab.flow_walk(count as usize, temperature, u64::from(seed)).await.map_err(js_error)?) })
    }

    /// The walk backwards from a drawing (see [`Lab::flow_walk_back`]).
    pub fn flow_walk_back(&self, ink: Vec<f32>, width: u32, height: u32) -> Promise {
        let lab = self.lab.clone();
        promise(async move { walk_js(lab.flow_walk_back(&ink, width as usize, height as usize).await.map_err(js_error)?) })
    }

    /// Starts the 2-D lab (see [`Lab::plane_start`]); returns the settings in force.
    pub fn plane_start(&self, config: JsValue) -> Result<JsValue, JsError> {
        let config = json_of(&config).map_err(js_error)?;
        to_js(&self.lab.plane_start(config).map_err(js_error)?)
    }

    /// Trains the 2-D lab (`who`: "all", "flow", "wgan", "critic", "generator", or null for a
    /// picture only) and draws it (see [`Lab::plane_train`]). Returns `{flow, wgan}` progress,
    /// `picture` (null when `grid` is 0; else `grid`, Float32Arrays `log_density`, `critic`,
    /// `real`, `flow_samples`, `wgan_samples`, and the real points' digits, Uint8Array `labels`)
    /// and `nll` (null while MNIST's autoencoder trains).
    pub fn plane_train(&self, who: Option<String>, units: u32, grid: u32, count: u32) -> Promise {
        let lab = self.lab.clone();
        promise(async move {
            let who = match who {
                Some(name) => Some(serde_json::from_value(serde_json::Value::String(name.clone())).map_err(|_| js_error(Error::Config(format!("nothing called {name:?} trains in the 2-D lab"))))?),
                None => None,
            };
            let (progress, picture, nll) = lab.plane_train(who, units as usize, grid as usize, count as usize).await.map_err(js_error)?;
            let pictured = match picture {
                None => JsValue::NULL,
                Some(picture) => {
                    let pictured = object(&[("grid", (picture.grid as f64).into())]);
                    for (key, values) in [("log_density", &picture.log_density), ("critic", &picture.critic), ("real", &picture.real), ("flow_samples", &picture.flow_samples), ("wgan_samples", &picture.wgan_samples)] {
                        let _ = js_sys::Reflect::set(&pictured, &key.into(), &Float32Array::from(&values[..]));
                    }
                    let _ = js_sys::Reflect::set(&pictured, &"labels".into(), &js_sys::Uint8Array::from(&picture.labels[..]));
                    pictured
                }
            };
            let nll = nll.map_or(JsValue::NULL, JsValue::from);
            Ok(object(&[("progress", to_js(&progress)?), ("picture", pictured), ("nll", nll)]))
        })
    }

    /// See [`Lab::time_autoencoder`]. Returns `{imagesPerSecond, steps}`.
    pub fn time_autoencoder(&self, config: JsValue, warmup: u32, seconds: f64) -> Promise {
        let lab = self.lab.clone();
        promise(async move {
            let config: AeTrainingConfig = serde_wasm_bindgen::from_value(config).map_err(|e| js_error(Error::Config(e.to_string())))?;
            to_js(&lab.time_autoencoder(config, warmup as usize, seconds, js_sys::Date::now).await.map_err(js_error)?)
        })
    }
}
