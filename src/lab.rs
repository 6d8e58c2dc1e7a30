//! A page's lab: everything one page trains and draws, as the Web Worker calls it, in Rust
//! that runs (and is tested, tests/it/lab.rs) natively as well as in the browser.
//!
//! A `Lab` owns what a page's training needs: the digits, the backend's device, every model
//! (one [`Session`]), the FCD classifier, the latent map and the pretrained preview. The calls
//! about a model take its [`Kind`]: `start`, `train`, `samples`, `interpolate`, `fcd_score`.
//! `src/web.rs` only converts each call's arguments and results between JS and Rust.
//!
//! The worker's calls are promises that outlive the call, and some arrive while another is
//! awaiting (the classifier, loaded in the background while a chunk trains). So a lab is a
//! cheap handle (clone it into each future) over state borrowed for a moment at a time: what an
//! asynchronous call uses is taken out of the state for the duration of an await and put back
//! after, and no borrow is ever held across an await.

use std::cell::RefCell;
use std::rc::Rc;

use burn::prelude::Device;
use serde::Serialize;
use serde_json::Value;

use crate::backend::{self, Backend};
use crate::data::{Digits, Pixels};
use crate::dataset::DataSet;
use crate::error::{Error, Result};
use crate::digitize::mnist_way;
use crate::fcd::fcd;
use crate::inspect::{Inspection, Inspector, NEIGHBOUR_POOL, REFERENCE_DIGITS, Readers};
use crate::walk::{self, WALK_DIGITS, Walk};
use crate::plane::{PlaneConfig, PlanePicture, PlaneProgress, Trainee};
use crate::plane_codes::PlaneRun;
use crate::kind::Kind;
use crate::map::{LatentMap, LatentMapConfig, Overlay};
use crate::models::Classifier;
use crate::rng::Rng;
use crate::sample::Sampler;
use crate::session::{Preview, Run, Session};
use crate::train::classifier::{Reading, accuracy, read};
use crate::train::phase::Look;
use crate::train::autoencoder::Reconstructions;
use crate::train::{AeTrainer, AeTrainingConfig, Progress};
use crate::weights::WeightsFile;

/// Why a call that needs the digits or a backend cannot run yet.
const NO_DIGITS: &str = "the images are not loaded yet";
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
    /// What reads drawn digits (see [`Lab::inspect`]), built for the models as they were at
    /// `generation`, and whether they are the pretrained preview's.
    inspector: Option<(u64, bool, Inspector)>,
    /// Counts the changes to the models (a chunk trained, a run started, models loaded or
    /// forgotten): an inspector made before the last change is stale.
    generation: u64,
    /// The 2-D lab's flow and WGAN (and on MNIST, first, its autoencoder), on the CPU whatever
    /// the backend (see [`Lab::plane_start`]).
    plane: Option<PlaneRun>,
}

impl State {
    fn device(&self) -> Result<&Device> {
        self.device.as_ref().ok_or_else(|| Error::State(NO_BACKEND.into()))
    }

    /// The training and test digits, once loaded.
    fn digits(&self) -> Result<(&Digits, &Digits)> {
        match (&self.train, &self.test) {
            (Some(train), Some(test)) => Ok((train, test)),
            _ => Err(Error::State(NO_DIGITS.into())),
        }
    }

    /// The models have changed: what was computed from them is stale.
    fn changed(&mut self) {
        self.generation += 1;
        self.inspector = None;
    }

    /// Makes `session` the models held: the map of the old ones and the preview go.
    fn install(&mut self, session: Session) {
        self.changed();
        self.models = session;
        self.map = None;
        self.preview = None; // the full models sample the same pictures from here on
        self.pending = None;
    }
}

/// How many digits were loaded.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Counts {
    pub train: usize,
    pub test: usize,
}

/// A models file opened by [`Lab::load_models`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Loaded {
    /// The models that are (or, when `pending`, would be) loaded.
    pub models: Vec<Kind>,
    /// The settings of every model the file holds, as its header records them.
    pub settings: Value,
    /// The models that cannot be used, and why.
    pub broken: Vec<BrokenModel>,
    /// Whether the good models wait for [`Lab::accept_pending`] (some were broken).
    pub pending: bool,
}

/// A model of a file that cannot be used, for the page.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BrokenModel {
    pub model: Kind,
    pub message: String,
}

/// A latent map just started (see [`Lab::new_latent_map`]).
#[derive(Clone, Debug, PartialEq)]
pub struct MapStarted {
    /// Each digit's label, in the order of the map's points.
    pub labels: Vec<u8>,
    /// The generated codes drawn over the digits.
    pub overlays: Vec<Overlay>,
    /// The PCA picture: two numbers per point, there at once.
    pub preview: Vec<f32>,
    /// How often a digit's nearest codes share its label.
    pub code_agreement: f64,
    /// t-SNE iterations the map will run.
    pub iterations: usize,
}

/// Where a latent map's t-SNE stands (see [`Lab::latent_map_step`]).
#[derive(Clone, Debug, PartialEq)]
pub struct MapStep {
    pub iteration: usize,
    pub done: bool,
    /// Two numbers per point.
    pub embedding: Vec<f32>,
    /// How often a digit's neighbours on the map share its label, once done.
    pub agreement: Option<f64>,
}

/// A spot of the latent map decoded (see [`Lab::latent_map_decode`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    /// The decoded digit, 784 pixel probabilities.
    pub pixels: Vec<f32>,
    /// The code behind the spot.
    pub code: Vec<f32>,
    /// The point of the map nearest the spot, on t-SNE's plane.
    pub nearest: Option<usize>,
}

/// A drawing read by the models (see [`Lab::inspect`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Drawn {
    pub reading: Inspection,
    /// The nearest training digits' pixels, 784 each, nearest first.
    pub nearest_pixels: Vec<f32>,
    /// Where its code sits on the latent map being drawn (PCA x, y, t-SNE x, y), when the map
    /// shows the codes of the autoencoder that read it.
    pub place: Option<[f32; 4]>,
    /// Whether the pretrained models read it (nothing trained or loaded yet).
    pub pretrained: bool,
}

/// What [`Lab::time_autoencoder`] measured.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Timing {
    /// Images per second of the timed steps.
    pub images_per_second: f64,
    /// Every step taken, warm-up included.
    pub steps: f64,
}

/// A page's lab (see the module's documentation): a handle, cloned into each call's future.
#[derive(Clone, Default)]
pub struct Lab(Rc<RefCell<State>>);

impl Lab {
    /// An empty lab: no digits, no backend, no models yet.
    pub fn new() -> Lab {
        Lab::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.0.borrow_mut())
    }

    /// Keeps the images every call trains and scores with. Images of another data set than
    /// those before make the models held (and the map, the preview) meaningless: they go.
    fn keep_digits(&self, train: Digits, test: Digits) -> Counts {
        let counts = Counts { train: train.len(), test: test.len() };
        self.with(|s| {
            if s.train.as_ref().is_some_and(|before| before.set() != train.set()) {
                s.install(Session::default());
            }
            s.train = Some(train);
            s.test = Some(test);
        });
        counts
    }

    /// Takes every model out, for a call that reads them across an await. The worker runs one
    /// model call at a time (its commands wait in a queue between chunks), so nothing else is
    /// looking for them meanwhile; [`Lab::put_models`] puts them back.
    fn take_models(&self) -> Session {
        self.with(|s| std::mem::take(&mut s.models))
    }

    fn put_models(&self, models: Session) {
        self.with(|s| s.models = models);
    }

    /// Models were changed: see [`State::changed`].
    fn changed(&self) {
        self.with(State::changed);
    }

    fn classifier_and_device(&self) -> Result<(Classifier, Device)> {
        self.with(|s| {
            let classifier = s.classifier.clone().ok_or_else(|| Error::State("the classifier is not loaded".into()))?;
            if let (Some(train), Some(file)) = (&s.train, &s.classifier_file) {
                train.set().check_classifier(&file.meta)?;
            }
            Ok((classifier, s.device()?.clone()))
        })
    }

    /// The autoencoder or a baseline (the models that reconstruct digits, and whose codes a
    /// map shows), taken out for a call that reads it across an await; [`Lab::put_encoder`]
    /// puts it back.
    fn take_encoder(&self, kind: Kind) -> Result<AeTrainer> {
        self.with(|s| match s.models.take(kind) {
            Some(Run::Encoder(trainer)) => Ok(trainer),
            other => {
                if let Some(run) = other {
                    s.models.insert(kind, run); // not an encoder: left as it was
                }
                Err(Error::State(format!("no {} has been started", kind.description())))
            }
        })
    }

    fn put_encoder(&self, kind: Kind, trainer: AeTrainer) {
        self.with(|s| s.models.insert(kind, Run::Encoder(trainer)));
    }

    /// `kind`'s sampler: the pretrained preview's while no full model of that kind is loaded
    /// and the preview holds one, else the session's. A copy (modules share their tensors),
    /// so no borrow is held across the awaits that read its samples back.
    fn sampler(&self, kind: Kind) -> Result<Sampler> {
        self.with(|s| {
            let preview = s.preview.as_ref().filter(|_| !s.models.models().contains(&kind)).and_then(|p| p.sampler(kind));
            match preview {
                Some(sampler) => Ok(sampler.clone()),
                None => s.models.sampler(kind),
            }
        })
    }

    /// Parses the four IDX files of `set` (already decompressed): the grayscale images, fetched
    /// only when a model asks for grayscale pixels. Replaces the images loaded before.
    pub fn load_idx(&self, set: &str, train_images: &[u8], train_labels: &[u8], test_images: &[u8], test_labels: &[u8]) -> Result<Counts> {
        let set = DataSet::parse(set)?;
        let train = Digits::from_idx(train_images, train_labels).map_err(|e| Error::Data(format!("training set: {e}")))?;
        let test = Digits::from_idx(test_images, test_labels).map_err(|e| Error::Data(format!("test set: {e}")))?;
        Ok(self.keep_digits(train.of_set(set), test.of_set(set)))
    }

    /// Parses the binarized, packed training and test images of `set` (`tools/pack-mnist.mjs`,
    /// already decompressed): what the page downloads first.
    pub fn load_packed(&self, set: &str, train: &[u8], test: &[u8]) -> Result<Counts> {
        let set = DataSet::parse(set)?;
        let train = Digits::from_packed(train).map_err(|e| Error::Data(format!("training set: {e}")))?;
        let test = Digits::from_packed(test).map_err(|e| Error::Data(format!("test set: {e}")))?;
        Ok(self.keep_digits(train.of_set(set), test.of_set(set)))
    }

    /// Digits already parsed (the native tool's and the tests' way in).
    /// Keeps the visitor's own images (`count × 784` bytes, each made by
    /// [`crate::digitize::picture`]) with their folders' labels (or none), one in six held out
    /// for testing ([`crate::data::own_images`]): they train every model as MNIST does.
    pub fn load_own(&self, pixels: &[u8], labels: &[u8]) -> Result<Counts> {
        let (train, test) = crate::data::own_images(pixels, labels)?;
        Ok(self.keep_digits(train, test))
    }

    pub fn load_digits(&self, train: Digits, test: Digits) -> Counts {
        self.keep_digits(train, test)
    }

    /// Whether the digits loaded are the grayscale originals (else they are binarized only).
    pub fn grayscale_loaded(&self) -> bool {
        self.with(|s| s.train.as_ref().is_some_and(Digits::has_grayscale))
    }

    /// Chooses the backend ("gpu" or "cpu") for the next run, initializing WebGPU on first use.
    /// Drops any run in progress: its tensors live on the old device. The classifier moves.
    pub async fn select_backend(&self, name: &str) -> Result<()> {
        let backend = Backend::parse(name)?;
        let device = backend::device(backend).await?;
        self.with(|s| {
            s.changed();
            s.models.clear();
            s.pending = None;
            s.classifier = s.classifier_file.as_ref().and_then(|file| Classifier::from_file(file, &device).ok());
            s.device = Some(device);
        });
        Ok(())
    }

    /// Starts a fresh run of `kind` with `config`, any subset of its settings (see
    /// [`Session::start`]). Returns the settings in force and the steps per epoch.
    pub fn start(&self, kind: Kind, config: Value) -> Result<(Value, usize)> {
        let started = self.with(|s| {
            // The fields one by one, so the models can change while the digits are lent out.
            let (Some(train), Some(test)) = (&s.train, &s.test) else {
                return Err(Error::State(NO_DIGITS.into()));
            };
            let device = s.device.as_ref().ok_or_else(|| Error::State(NO_BACKEND.into()))?;
            let started = s.models.start(kind, config, train, test, device)?;
            s.changed();
            Ok(started)
        })?;
        if kind == Kind::Autoencoder {
            self.with(|s| s.preview = None); // the new autoencoder's samples replace the pretrained ones
        }
        Ok(started)
    }

    /// Runs at most `units` units of work of `kind`'s run; returns its progress, with what
    /// `look` asks to draw when it is due (see [`Session::train`]).
    pub async fn train(&self, kind: Kind, units: usize, look: Option<&Look>) -> Result<Progress> {
        let mut models = self.take_models();
        let result = models.train(kind, units, look).await;
        self.put_models(models);
        self.changed();
        result
    }

    /// Forgets the autoencoder run, every model fitted to its codes, and the baselines.
    pub fn reset(&self) {
        self.with(|s| {
            s.changed();
            s.preview = None;
            s.pending = None;
            s.models.clear();
        });
    }

    /// The models held (with networks), in [`Kind::ALL`]'s order.
    pub fn models(&self) -> Vec<Kind> {
        self.with(|s| s.models.models())
    }

    /// `count` samples of `kind` from `seed`, as pixel probabilities (see [`Session::samples`];
    /// `temperature` applies to the flow and the WGAN), drawn by the pretrained preview while no
    /// full model of that kind is loaded.
    pub async fn samples(&self, kind: Kind, count: usize, temperature: f32, seed: u64) -> Result<Vec<f32>> {
        self.sampler(kind)?.samples(count, temperature, seed).await
    }

    /// [`Lab::samples`] as the command line writes them: a `.npy` file of
    /// [`crate::npy::SAMPLES_SAVED`] digits, `uint8 [N, 28, 28]` (see
    /// [`crate::npy::digits_to_npy`]), for other tools to read or score.
    pub async fn samples_npy(&self, kind: Kind, temperature: f32, seed: u64) -> Result<Vec<u8>> {
        Ok(crate::npy::digits_to_npy(&self.samples(kind, crate::npy::SAMPLES_SAVED, temperature, seed).await?))
    }

    /// The first `count` test digits and their reconstructions by the autoencoder.
    pub async fn reconstructions(&self, count: usize) -> Result<Reconstructions> {
        let trainer = self.take_encoder(Kind::Autoencoder)?;
        let result = trainer.reconstructions(count).await;
        self.put_encoder(Kind::Autoencoder, trainer);
        result
    }

    /// The flow's largest round-trip error |F⁻¹(F(z0)) − z0| over `count` draws, on its device.
    pub async fn flow_round_trip_error(&self, count: usize) -> Result<f32> {
        let sampler = self.with(|s| s.models.sampler(Kind::Flow))?;
        sampler.round_trip_error(count, 7).await
    }

    /// Loads the FCD classifier from its weights file (the data set's, www/models/classifier*.bin) onto the current
    /// device. Returns what the file records about it (its test accuracy). A bad file is refused
    /// and any classifier already loaded stays.
    pub fn load_classifier(&self, bytes: &[u8]) -> Result<Value> {
        let file = WeightsFile::from_bytes(bytes)?;
        let classifier = self.with(|s| Classifier::from_file(&file, s.device()?))?;
        let meta = file.meta.clone();
        self.with(|s| {
            s.classifier = Some(classifier);
            s.classifier_file = Some(file);
        });
        Ok(meta)
    }

    /// The classifier's accuracy on the first `count` test digits (binarized), on the current device.
    pub async fn classifier_accuracy(&self, count: usize) -> Result<f32> {
        let (classifier, device) = self.classifier_and_device()?;
        let test = self.with(|s| s.test.as_ref().map(|t| t.take(count))).ok_or_else(|| Error::State(NO_DIGITS.into()))?;
        accuracy(&classifier, &test, &device).await
    }

    /// How the classifier reads `images` (pixel values in [0, 1], 784 each), for a sample
    /// grid's caption.
    pub async fn read_digits(&self, images: &[f32]) -> Result<Vec<Reading>> {
        let (classifier, device) = self.classifier_and_device()?;
        read(&classifier, images, &device).await
    }

    /// The FCD of `count` samples of `model` against the first `count` test digits: `Some`
    /// model's samples (the autoencoder's are its decodings of z ~ N(0, I)), or `None` for real
    /// training digits, the floor.
    pub async fn fcd_score(&self, model: Option<Kind>, count: usize, seed: u64) -> Result<f64> {
        let (classifier, device) = self.classifier_and_device()?;
        let (test, train) = self.with(|s| (s.test.as_ref().map(|t| t.take(count)), s.train.as_ref().map(|t| t.take(count))));
        let (Some(test), Some(train)) = (test, train) else {
            return Err(Error::State(NO_DIGITS.into()));
        };
        if count < 2 || count > test.len() {
            return Err(Error::Config(format!("the FCD needs 2 to {} samples, not {count}", test.len())));
        }
        let all: Vec<usize> = (0..count).collect();
        let grayscale = Pixels::Grayscale; // binarized inside the FCD, like the samples
        let samples = match model {
            None => train.batch(&all, grayscale),
            Some(kind) => {
                let sampler = self.with(|s| s.models.sampler(kind))?;
                sampler.samples(count, 1.0, seed).await?
            }
        };
        fcd(&classifier, &samples, &test.batch(&all, grayscale), &device).await
    }

    /// Starts a latent map: encodes `config.digits` test digits with the chosen model (the
    /// autoencoder or a baseline), adds `config.overlay` codes from each model that can make
    /// them (the flow and the WGAN, and N(0, I) draws, which is what every sampler decodes
    /// without a latent model), and prepares t-SNE. Its PCA picture is there at once.
    pub async fn new_latent_map(&self, config: LatentMapConfig) -> Result<MapStarted> {
        config.validate()?;
        self.with(|s| s.map = None);
        let source = self.take_encoder(config.source)?;
        // A small set of the visitor's holds out few images (one in six): the map adds training
        // images up to the count asked, so that it shows the set and not a handful.
        let small = self.with(|s| s.train.as_ref().is_some_and(|train| crate::session::passes(train) > 1));
        let result = async {
            let (mut codes, mut labels) = source.test_codes(config.digits).await?;
            if small && labels.len() < config.digits {
                let (more, more_labels) = source.train_codes(config.digits - labels.len()).await?;
                codes.extend(more);
                labels.extend(more_labels);
            }
            Ok::<_, Error>((codes, labels))
        }
        .await;
        let dim = source.config().model.latent;
        self.put_encoder(config.source, source);
        let (codes, labels) = result?;
        let mut overlays = Vec::new();
        if config.source == Kind::Autoencoder && config.overlay > 0 {
            for kind in [Kind::Flow, Kind::Wgan] {
                // A flow or WGAN still encoding the digits cannot sample yet; it is left out,
                // not an error; so are codes that are not numbers.
                let Ok(sampler) = self.with(|s| s.models.sampler(kind)) else { continue };
                if let Ok(codes) = sampler.codes(config.overlay, 1.0, config.seed).await {
                    overlays.push((kind.name().to_string(), codes));
                }
            }
        }
        if config.overlay > 0 {
            overlays.push(("prior".to_string(), Rng::new(config.seed).normals(config.overlay * dim)));
        }
        let map = LatentMap::new(&codes, labels, dim, overlays, config.tsne())?;
        let started = MapStarted {
            labels: map.labels().to_vec(),
            overlays: map.overlays().to_vec(),
            preview: map.preview().to_vec(),
            code_agreement: map.code_agreement(),
            iterations: config.iterations,
        };
        self.with(|s| s.map = Some((config.source, map)));
        Ok(started)
    }

    /// Runs up to `iterations` more t-SNE iterations of the current map.
    pub fn latent_map_step(&self, iterations: usize) -> Result<MapStep> {
        self.with(|s| {
            let (_, map) = s.map.as_mut().ok_or_else(|| Error::State("no latent map has been started".into()))?;
            let done = map.run(iterations)?;
            let agreement = if done { Some(map.map_agreement()?) } else { None };
            Ok(MapStep { iteration: map.tsne().iteration(), done, embedding: map.tsne().embedding(), agreement })
        })
    }

    /// Decodes the code behind a spot of the latent map (see `LatentMap::code_at`) with the
    /// decoder of the model whose codes it shows.
    pub async fn latent_map_decode(&self, x: f32, y: f32, tsne: bool) -> Result<Decoded> {
        let (source, (code, nearest)) = self.with(|s| {
            let (source, map) = s.map.as_ref().ok_or_else(|| Error::State("draw the map first".into()))?;
            Ok::<_, Error>((*source, map.code_at(x, y, tsne)?))
        })?;
        let sampler = self.with(|s| s.models.sampler(source))?;
        let pixels = sampler.decode(&code).await?;
        Ok(Decoded { pixels, code, nearest })
    }

    /// Every model held as one file (see `session`): the bytes to download or keep.
    pub async fn save_models(&self) -> Result<Vec<u8>> {
        let session = self.take_models();
        let result = session.to_file(serde_json::json!({ "made_by": "the page" })).await;
        self.put_models(session);
        Ok(result?.to_bytes())
    }

    /// Opens a models file on the current backend and checks every model in it by its samples
    /// (see `Session::open` and `Opened::checked`). When every model loads and samples, they
    /// replace the models held now. When some do not, nothing is replaced yet: the good ones
    /// wait until [`Lab::accept_pending`] (the visitor agreed) or [`Lab::discard_pending`]. A
    /// file that is not ours, damaged as a whole, from another version, or of which no model can
    /// be used is refused, and the models already loaded stay.
    pub async fn load_models(&self, bytes: &[u8]) -> Result<Loaded> {
        let file = WeightsFile::from_bytes(bytes)?;
        let opened = self.with(|s| {
            let (train, test) = s.digits()?;
            crate::session::Session::open(&file, train, test, s.device()?)
        })?;
        let opened = opened.checked().await;
        let models = opened.session.models();
        if models.is_empty() {
            return Err(Error::Data(format!("no model in the file can be used: {}", opened.problems())));
        }
        let broken: Vec<BrokenModel> = opened.broken.iter().map(|b| BrokenModel { model: b.kind, message: b.error.to_string() }).collect();
        let pending = !broken.is_empty();
        let loaded = Loaded { models, settings: file.meta.clone(), broken, pending };
        self.with(|s| {
            if pending {
                s.pending = Some(opened.session);
            } else {
                s.install(opened.session);
            }
        });
        Ok(loaded)
    }

    /// The good models of the last file opened with some broken ones (see [`Lab::load_models`])
    /// replace the models held now. Returns which they are.
    pub fn accept_pending(&self) -> Result<Vec<Kind>> {
        let session = self.with(|s| s.pending.take()).ok_or_else(|| Error::State("no models file is waiting to be loaded".into()))?;
        let models = session.models();
        self.with(|s| s.install(session));
        Ok(models)
    }

    /// Forgets the models of a file that was waiting (see [`Lab::load_models`]); the models
    /// held stay as they were.
    pub fn discard_pending(&self) {
        self.with(|s| s.pending = None);
    }

    /// The morph strip: decodings of `steps` points on the path between the first base draws of
    /// `seed_a` and `seed_b` (see `explore`), through the flow or the generator, of the
    /// pretrained preview while no full models are loaded.
    pub async fn interpolate(&self, kind: Kind, seed_a: u64, seed_b: u64, steps: usize, temperature: f32) -> Result<Vec<f32>> {
        self.sampler(kind)?.morph(seed_a, seed_b, steps, temperature).await
    }

    /// Opens the FlowAE and AdvAE samplers of a models file on the CPU, without MNIST or a
    /// backend: the pretrained models answer Resample, the temperature and the morph strip
    /// seconds before the digits have arrived. Returns the samplers it holds. Dropped when full
    /// models are loaded or training starts.
    pub fn open_preview(&self, bytes: &[u8]) -> Result<Vec<Kind>> {
        let file = WeightsFile::from_bytes(bytes)?;
        let preview = Preview::from_file(&file, &Device::flex())?;
        let models = preview.models();
        self.with(|s| {
            s.changed();
            s.preview = Some(preview);
        });
        Ok(models)
    }

    /// What reads a drawing and walks the flow: the autoencoder held with its flow and critic
    /// when fitted to its codes, or the pretrained preview's before anything is trained or loaded
    /// (then `true`).
    fn readers(&self) -> Result<(Readers, bool)> {
        self.with(|s| match (&s.preview, s.models.encoder(Kind::Autoencoder)) {
            (_, Ok(_)) => Ok((s.models.readers(s.device()?)?, false)),
            (Some(preview), Err(_)) => Ok((preview.readers().clone(), true)),
            (None, Err(missing)) => Err(missing),
        })
    }

    /// The test digits a walk draws behind it.
    fn walk_reference(&self) -> Result<Digits> {
        self.with(|s| s.digits().map(|(_, test)| test.take(WALK_DIGITS.min(test.len()))))
    }

    /// FlowAE's flow walked layer by layer (see [`crate::walk`]): `count` base draws at
    /// `temperature` from `seed` pushed through it, the first of them tracked.
    pub async fn flow_walk(&self, count: usize, temperature: f32, seed: u64) -> Result<Walk> {
        let (readers, _) = self.readers()?;
        walk::forward(&readers, &self.walk_reference()?, count, temperature, seed).await
    }

    /// The walk backwards: a drawing (as for [`Lab::inspect`]) encoded and pulled back through
    /// the flow to the Gaussian, with real digits' codes around it.
    pub async fn flow_walk_back(&self, ink: &[f32], width: usize, height: usize) -> Result<Walk> {
        let digit = mnist_way(ink, width, height)?;
        let (readers, _) = self.readers()?;
        walk::backward(&readers, &self.walk_reference()?, &digit).await
    }

    /// What the models make of a drawing: `ink` (`width × height` values in [0, 1], 1 the
    /// darkest) made an MNIST input ([`crate::digitize::mnist_way`]) and read by the
    /// autoencoder held, with its flow and critic when they were fitted to its codes, or by the
    /// pretrained models before anything is trained (see [`crate::inspect`]). The real digits it
    /// is compared with are encoded on the first call after the models change.
    pub async fn inspect(&self, ink: &[f32], width: usize, height: usize) -> Result<Drawn> {
        let digit = mnist_way(ink, width, height)?;
        let (generation, cached) = self.with(|s| (s.generation, s.inspector.take().filter(|(at, _, _)| *at == s.generation)));
        let (pretrained, inspector) = match cached {
            Some((_, pretrained, inspector)) => (pretrained, inspector),
            None => {
                let (readers, pretrained) = self.readers()?;
                let (train, test) = self.with(|s| {
                    let (train, test) = s.digits()?;
                    Ok::<_, Error>((train.take(NEIGHBOUR_POOL.min(train.len())), test.take(REFERENCE_DIGITS.min(test.len()))))
                })?;
                (pretrained, Inspector::new(readers, &train, &test).await?)
            }
        };
        let reading = inspector.read(&digit).await;
        let (nearest_pixels, place) = self.with(|s| {
            let nearest = match (&reading, &s.train) {
                (Ok(r), Some(train)) => train.batch(&r.nearest, Pixels::Binarized),
                _ => Vec::new(),
            };
            // The map shows the autoencoder's codes only when it is the one that read the digit.
            let place = match (&reading, &s.map, s.models.encoder(Kind::Autoencoder)) {
                (Ok(r), Some((Kind::Autoencoder, map)), Ok(_)) => map.place(&r.code).ok(),
                _ => None,
            };
            if s.generation == generation {
                s.inspector = Some((generation, pretrained, inspector));
            }
            (nearest, place)
        });
        Ok(Drawn { reading: reading?, nearest_pixels, place, pretrained })
    }

    /// Starts the 2-D lab (see [`crate::plane`]) with `config`, any subset of a [`PlaneConfig`]
    /// as JSON, replacing any run of it. It trains on the CPU backend whatever the page's: its
    /// networks are a few thousand numbers, and a GPU's per-step overhead is larger than their
    /// work. Needs no digits, but on MNIST ([`crate::plane_codes`]), whose autoencoder trains
    /// on them. Returns the settings in force.
    pub fn plane_start(&self, config: Value) -> Result<Value> {
        let config = PlaneConfig::from_json(config)?;
        let run = self.with(|s| PlaneRun::new(config, s.digits().ok(), &Device::flex()))?;
        let settings = serde_json::to_value(run.config()).map_err(|e| Error::Data(e.to_string()))?;
        self.with(|s| s.plane = Some(run));
        Ok(settings)
    }

    /// At most `units` units of work of what `who` names in the 2-D lab, then, unless `grid` is
    /// 0, its picture on a `grid × grid` raster with `count` points of each kind (see
    /// [`crate::plane::Plane::picture`]; drawing it costs more than a chunk, so the page asks for
    /// it a few times a second, not every chunk), and the flow's held-out NLL, in nats per point
    /// (none while MNIST's autoencoder trains).
    pub async fn plane_train(&self, who: Option<Trainee>, units: usize, grid: usize, count: usize) -> Result<(PlaneProgress, Option<PlanePicture>, Option<f32>)> {
        let mut plane = self.with(|s| s.plane.take()).ok_or_else(|| Error::State("the 2-D lab has not started".into()))?;
        let result = async {
            let progress = match who {
                Some(who) => plane.train(who, units, &Device::flex()).await?,
                None => PlaneProgress::default(),
            };
            let picture = if grid == 0 { None } else { Some(plane.picture(grid, count, 1).await?) };
            Ok((progress, picture, plane.held_out_nll().await?))
        }
        .await;
        self.with(|s| {
            if s.plane.is_none() {
                s.plane = Some(plane); // unless a new one started meanwhile
            }
        });
        result
    }

    /// Times autoencoder training on the current backend without touching the models: a fresh
    /// run of `config` takes `warmup` steps (on WebGPU the first compiles its shaders), then steps
    /// until `seconds` have passed (at most 1,000, and no further than the run's end), in chunks
    /// grown to ~0.1 s as training runs them (one read-back and rollback snapshot per chunk).
    /// `now` is the clock, in milliseconds (the platform's: a browser has no `Instant`). How the
    /// page picks the faster backend for a visitor, and what the benchmark compares with TF.js.
    pub async fn time_autoencoder(&self, config: AeTrainingConfig, warmup: usize, seconds: f64, now: impl Fn() -> f64) -> Result<Timing> {
        let mut trainer = self.with(|s| {
            let (train, test) = s.digits()?;
            AeTrainer::new(crate::session::fit_small(config, train, test), train, test, s.device()?)
        })?;
        let batch = trainer.config().batch_size as f64;
        for _ in 0..warmup {
            trainer.run(1).await?;
        }
        let (started, mut taken, mut chunk) = (now(), 0.0, 1);
        while taken < 1000.0 && (now() - started) < seconds * 1000.0 {
            let before = now();
            let progress = trainer.run(chunk).await?;
            taken += progress.losses.len() as f64;
            if progress.done {
                break; // a small training set: its one epoch is what there is to time
            }
            if now() - before < 100.0 {
                chunk = (chunk * 2).min(64);
            }
        }
        let elapsed = (now() - started) / 1000.0;
        if taken == 0.0 || elapsed <= 0.0 {
            return Err(Error::State("no training step could be timed".into()));
        }
        Ok(Timing { images_per_second: taken * batch / elapsed, steps: taken + warmup as f64 })
    }
}
