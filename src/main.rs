//! `flowae`: the native command-line edge of the library.
//!
//! It trains the same models with the same code as the page, on the CPU or a native GPU, and
//! writes what it made as PNG grids, so results can be checked and reproduced without a browser.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use flowae::backend::{self, Backend};
use flowae::data::Digits;
use flowae::grid::{Gray, digit_grid};
use flowae::fcd::{Gaussian, feature_gaussian, frechet_distance};
use flowae::session::{self, Run, Session};
use flowae::weights::WeightsFile;
use flowae::npy::digits_to_npy;
use flowae::train::classifier::accuracy;
use flowae::train::{AeTrainer, ClassifierTrainer, ClassifierTrainingConfig, AeTrainingConfig, FlowTrainingConfig, LatentCodes, Progress, WganTrainingConfig};
use flowae::settings::{self, Defaults, Section};
use flowae::length::Length;
use flowae::preset::Preset;
use flowae::table::Scores;
use flowae::{DataSet, Error, Kind, Result};

/// Names of models, for a message.
fn names(kinds: &[Kind]) -> String {
    kinds.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
}

const USAGE: &str = "\
usage: flowae train-ae [options]
       flowae train-flow [options] [flow options]
       flowae train-wgan [options] [wgan options]
       flowae train-both [options] [flow options] [wgan options]
       flowae table [options] [flow options] [wgan options] [table options] [--seeds N]
                    [--only MODELS] [--classifier FILE]
       flowae train-classifier [--epochs N] [--batch-size N] [--lr X] [--seed N] [--data SET|DIR]
                               [--backend cpu|gpu] [--weights FILE]
       flowae sample --models FILE [--samples N] [--temperature T] [--seed N] [--out DIR]
       flowae compact --models FILE --to FILE

train-ae trains the paper's autoencoder on MNIST and writes reconstructions.png (test digits,
and under each row their reconstructions) and prior-samples.png (decodings of z ~ N(0, I)).
train-flow then freezes it and fits a RealNVP flow to its codes (FlowAE); train-wgan trains a
WGAN-GP generator on them instead (AdvAE); train-both does both on the same autoencoder.
Each writes <model>-samples.npy (uint8 [N, 28, 28], round(255·p)), <model>-samples.png (the
first 64) and <model>-vs-prior.png (64 samples, left, beside 64 decodings of z ~ N(0, I),
right), where <model> is flowae or advae; train-both adds advae-vs-flowae.png. The latent
Fréchet distance printed for each is between its generated codes and the encoded test digits.
table does what train-both does, then scores each model's samples with the Fréchet Classifier
Distance (FCD) against the test digits, with real training digits as the floor, and writes
table.md: the paper's Table 1 for the models built so far. With --seeds N it does so N times,
with seeds --seed, --seed + 1, …, each run's files in <out>/seed-<seed>/, and table.md gives
every run's FCD, their mean ± sd, and in how many runs the paper's order held. --only flow,wgan
(any of flow, wgan, vae, aae) trains and scores only those.
With --models FILE, train-flow, train-wgan, train-both and table also save every model they
trained as one file, which the page can load (www/models/pretrained.bin is train-both's).
sample loads such a file (or one the page saved) and writes each model's samples as above.
compact rewrites a models file for shipping: each tensor in f16 where no value moves by more
than 0.1% of itself, the rest in f32 (www/models/pretrained.bin is compacted: half the bytes).
train-classifier trains the classifier whose features define the FCD, on binarized images of
--data's set, prints its test accuracy after each epoch, and writes its weights to --weights
(default the file the page ships: www/models/classifier.bin for MNIST,
www/models/classifier-fashion.bin for Fashion-MNIST).

options (any command):
  --data SET|DIR       the data set: mnist (the default) or fashion (Fashion-MNIST), read from
                       www/data/ where ./build.sh puts them; or a folder of MNIST's four IDX
                       files (gzipped or not)
  --backend cpu|gpu    CPU (flex) or GPU (wgpu: Vulkan/Metal/DX12)   [cpu]
  --threads N          CPU threads for the CPU backend (same results on any number)
                                                                    [all cores]
  --samples N          samples written to each .npy                 [10000]
  --temperature T      sample z0 ~ N(0, T^2 I)                      [1]
  --out DIR            where the files go                           [out]
  --models FILE        also save the trained models to FILE (one file)
  --preset NAME        every setting's default: tuned (closer to Table 1's order) or
                       paper (the paper's text; the authors' code where it is silent) [tuned]
  --length NAME        how long each model trains: full (Table 1's digits and epochs) or
                       quick (the page's first run: fewer digits and epochs)  [full]
  --classifier FILE    table: the FCD classifier's weights [the one shipped for --data's set]
  --seeds N            table: runs, one per seed from --seed on      [1]
  --only MODELS        table: only these of flow, wgan, vae, aae      [all]
";

/// The help: the commands above, then every setting's flag from the settings table.
fn usage() -> String {
    let mut text = String::from(USAGE);
    for (title, section) in [
        ("autoencoder options", Section::Model(Kind::Autoencoder)),
        ("flow options", Section::Model(Kind::Flow)),
        ("wgan options", Section::Model(Kind::Wgan)),
        ("table options (the baselines; the autoencoder's options apply too)", Section::Model(Kind::Vae)),
        ("", Section::Model(Kind::Aae)),
    ] {
        if !title.is_empty() {
            text.push_str(&format!("\n{title}:\n"));
        }
        text.push_str(&settings::flags_help(section));
    }
    text
}

/// Flags that are not settings of a model: where things are read and written, and how.
const OTHER_FLAGS: [&str; 15] = [
    "data", "backend", "threads", "samples", "temperature", "out", "models", "classifier", "weights", "to", "seeds", "only", "preset",
    "length", "help",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("flowae: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> std::result::Result<(), String> {
    let command = args.first().map(String::as_str);
    if let Some("-h" | "--help" | "help") = command {
        print!("{}", usage());
        return Ok(());
    }
    let opts = Options::parse(args.get(1..).unwrap_or_default())?;
    if let Some(command) = command.filter(|c| COMMANDS.contains(c)) {
        opts.check_for(command).map_err(|e| e.to_string())?;
    }
    let work = || match command {
        Some("train-ae") => train_ae(&opts).map(|_| ()),
        Some(command @ ("train-flow" | "train-wgan" | "train-both")) => train_latent(command, &opts).map(|_| ()),
        Some("table") => table(&opts),
        Some("train-classifier") => train_classifier(&opts),
        Some("sample") => sample(&opts),
        Some("compact") => compact(&opts),
        _ => Err(Error::Config(format!("expected a command\n\n{}", usage()))),
    };
    on_threads(&opts, work).map_err(|e| e.to_string())
}

/// Runs `work` on one thread of a pool of `--threads` (the calling thread only waits): the CPU
/// backend's larger matrix products and passes are split across the pool, and the training
/// itself running on a pool thread, not beside it, is what makes "2 threads" mean two busy
/// threads, as PyTorch's `set_num_threads(2)` does.
fn on_threads(opts: &Options, work: impl FnOnce() -> Result<()> + Send) -> Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads: usize = opts.number("threads", cores)?;
    if threads == 0 || threads > 1024 {
        return Err(Error::Config(format!("--threads must be between 1 and 1024, not {threads}")));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Config(format!("cannot start {threads} threads: {e}")))?;
    pool.install(work)
}

/// Every command.
const COMMANDS: [&str; 8] = ["train-ae", "train-flow", "train-wgan", "train-both", "table", "train-classifier", "sample", "compact"];

/// The flags `command` reads: any other is refused, so that a flag given to the wrong command
/// is not silently ignored (`sample --preset bogus`).
fn flags_of(command: &str) -> Vec<&'static str> {
    let of = |kinds: &[Kind]| kinds.iter().flat_map(|&k| settings::of(Section::Model(k)).filter_map(|s| s.flag)).collect::<Vec<_>>();
    let training = ["data", "backend", "threads", "out", "preset", "length"];
    let sampling = ["samples", "temperature", "models"];
    let mut flags: Vec<&'static str> = match command {
        "train-ae" => [of(&[Kind::Autoencoder]), training.to_vec()].concat(),
        "train-flow" => [of(&[Kind::Autoencoder, Kind::Flow]), training.to_vec(), sampling.to_vec()].concat(),
        "train-wgan" => [of(&[Kind::Autoencoder, Kind::Wgan]), training.to_vec(), sampling.to_vec()].concat(),
        "train-both" => [of(&[Kind::Autoencoder, Kind::Flow, Kind::Wgan]), training.to_vec(), sampling.to_vec()].concat(),
        "table" => [of(&Kind::ALL), training.to_vec(), sampling.to_vec(), vec!["classifier", "seeds", "only"]].concat(),
        "train-classifier" => vec!["epochs", "batch-size", "lr", "seed", "data", "backend", "threads", "weights"],
        "sample" => vec!["models", "samples", "temperature", "seed", "out", "data", "backend", "threads"],
        "compact" => vec!["models", "to", "data", "backend", "threads"],
        _ => Vec::new(),
    };
    flags.push("help");
    flags
}

/// `--name value` pairs, each name allowed once.
#[derive(Clone)]
struct Options(HashMap<String, String>);

impl Options {
    fn parse(args: &[String]) -> std::result::Result<Self, String> {
        let mut map = HashMap::new();
        let mut it = args.iter();
        while let Some(name) = it.next() {
            let key = name
                .strip_prefix("--")
                .ok_or_else(|| format!("unexpected argument {name:?}\n\n{}", usage()))?;
            if !settings::flags().chain(OTHER_FLAGS).any(|flag| flag == key) {
                return Err(format!("unknown option {name} (flowae --help lists them)"));
            }
            let value = it.next().ok_or_else(|| format!("{name} needs a value"))?;
            if map.insert(key.to_string(), value.clone()).is_some() {
                return Err(format!("{name} given twice"));
            }
        }
        Ok(Options(map))
    }

    /// Refuses a flag that `command` does not read, and a value it could not use, before any
    /// work: the preset and length, the backend, the models `--only` names, and the numbers.
    fn check_for(&self, command: &str) -> Result<()> {
        let flags = flags_of(command);
        let mut given: Vec<&String> = self.0.keys().collect();
        given.sort();
        if let Some(flag) = given.iter().find(|f| !flags.contains(&f.as_str())) {
            return Err(Error::Config(format!("{command} does not take --{flag} (flowae --help says which options each command takes)")));
        }
        defaults(self)?;
        // Every setting's value, in every section: a baseline's would otherwise be read only
        // when its turn comes, after the models before it have trained.
        if command != "train-classifier" {
            for setting in settings::SETTINGS {
                if let Some((flag, text)) = setting.flag.and_then(|flag| Some((flag, self.get(flag)?))) {
                    setting.parse(text, &format!("--{flag}"))?;
                }
            }
        }
        if let Some(name) = self.get("backend") {
            Backend::parse(name)?;
        }
        if self.get("only").is_some() {
            only(self)?;
        }
        if self.get("samples").is_some() {
            sample_count(self, 0)?;
        }
        if self.get("temperature").is_some() {
            flowae::limits::check("--temperature", self.number("temperature", 1.0f32)?, &flowae::limits::TEMPERATURE)?;
        }
        Ok(())
    }

    /// These options with `key` set to `value`.
    fn with(&self, key: &str, value: String) -> Options {
        let mut map = self.0.clone();
        map.insert(key.to_string(), value);
        Options(map)
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    fn text(&self, key: &str, default: &str) -> String {
        self.0.get(key).cloned().unwrap_or_else(|| default.to_string())
    }

    fn number<T: std::str::FromStr>(&self, key: &str, default: T) -> Result<T> {
        match self.0.get(key) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| Error::Config(format!("--{key} must be a number, not {v:?}"))),
        }
    }
}

/// The training and test sets `--data` names: a data set's name (`mnist`, the default, or
/// `fashion`) reads the gzipped IDX files build.sh put under www/data/, the files the page
/// fetches for grayscale; a folder reads MNIST's four IDX files from it, gzipped or not.
/// Without `--data`, `default`.
fn load_data(opts: &Options, default: DataSet) -> Result<(Digits, Digits)> {
    let asked = opts.text("data", default.name());
    let (set, files): (DataSet, Vec<PathBuf>) = match DataSet::parse(&asked) {
        Ok(set) => match set.idx() {
            Some(files) => (set, files.iter().map(|file| Path::new("www").join(file)).collect()),
            None => return Err(Error::Config(format!("{} are read in the page, from your own files: here, give --data a folder of MNIST's IDX files", set.title()))),
        },
        Err(_) if Path::new(&asked).is_dir() => {
            let dir = Path::new(&asked);
            let files = DataSet::Mnist.idx().into_iter().flatten().map(|file| {
                let name = Path::new(&file).file_name().unwrap_or_default().to_owned();
                let gz = dir.join(name);
                if gz.exists() { gz } else { gz.with_extension("") }
            });
            (DataSet::Mnist, files.collect())
        }
        Err(_) if asked.contains(std::path::MAIN_SEPARATOR) => {
            return Err(Error::Data(format!("cannot read {asked}: there is no such folder (--data takes a data set, {}, or a folder of MNIST's IDX files)", DataSet::names())));
        }
        Err(_) => return Err(Error::Config(format!("--data must be a data set ({}) or a folder of MNIST's IDX files, not {asked:?}", DataSet::names()))),
    };
    let read = |i: usize| read_idx(&files[i]);
    let train = Digits::from_idx(&read(0)?, &read(1)?).map_err(|e| e.about(files[0].display()))?.of_set(set);
    let test = Digits::from_idx(&read(2)?, &read(3)?).map_err(|e| e.about(files[2].display()))?.of_set(set);
    Ok((train, test))
}

/// The data set `--data` names; MNIST for a folder (of MNIST's files) or when not given.
fn named_set(opts: &Options) -> DataSet {
    DataSet::parse(&opts.text("data", DataSet::default().name())).unwrap_or_default()
}

/// An IDX file, inflated when its name ends in .gz.
fn read_idx(path: &Path) -> Result<Vec<u8>> {
    let bytes = read_file(path)?;
    if path.extension().is_some_and(|x| x == "gz") {
        let mut inflated = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut inflated)
            .map_err(|e| Error::Data(format!("{} is not a whole gzip file: {e}", path.display())))?;
        return Ok(inflated);
    }
    Ok(bytes)
}

/// Reads a whole file, naming it in the message when it cannot.
/// A missing file under www/data/ says to run build.sh, which writes them.
fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::NotFound && path.starts_with("www/data") { " (./build.sh build writes it)" } else { "" };
        Error::Data(format!("cannot read {}: {e}{hint}", path.display()))
    })
}

/// Writes `bytes` to `path` whole or not at all: into a file beside it, then renamed over it,
/// so that a full disk or an interrupted run leaves the old file as it was.
fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let fail = |e: std::io::Error| Error::Data(format!("cannot write {}: {e}", path.display()));
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let written = std::fs::write(&partial, bytes).and_then(|()| std::fs::rename(&partial, path));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        fail(e)
    })
}

/// Makes sure files can be written into `dir` (creating it), before any training depends on it.
fn writable_dir(dir: &Path) -> Result<()> {
    let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    std::fs::create_dir_all(dir).map_err(|e| Error::Data(format!("cannot create {}: {e}", dir.display())))?;
    let probe = dir.join(format!(".flowae-probe-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(|e| Error::Data(format!("cannot write into {}: {e}", dir.display())))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Makes sure a file can be written at `path` (its folder exists and takes files; it is not a
/// folder itself), before any training depends on it.
fn writable_file(path: &Path) -> Result<()> {
    if path.is_dir() {
        return Err(Error::Data(format!("cannot write {}: it is a folder", path.display())));
    }
    writable_dir(path.parent().unwrap_or(Path::new(".")))
}

/// `--samples`, checked against its bounds.
fn sample_count(opts: &Options, default: usize) -> Result<usize> {
    let count = opts.number("samples", default)?;
    flowae::limits::check("--samples", count, &flowae::limits::SAMPLES)?;
    Ok(count)
}

/// What every training command works with: the digits read (a run uses the first
/// `--train-images` and `--test-images` of them), the device, and where files go.
struct Bench {
    train: Digits,
    test: Digits,
    backend: Backend,
    device: burn::prelude::Device,
    out: PathBuf,
}

impl Bench {
    /// The output folder checked writable (before any training depends on it), MNIST read and
    /// the backend started.
    fn new(opts: &Options) -> Result<Bench> {
        let backend = Backend::parse(&opts.text("backend", "cpu"))?;
        let out = PathBuf::from(opts.text("out", "out"));
        writable_dir(&out)?;
        let (train, test) = load_data(opts, DataSet::default())?;
        let device = pollster::block_on(backend::device(backend))?;
        Ok(Bench { train, test, backend, device, out })
    }
}

/// Units of work per chunk of the run loop. The terminal has no Pause to answer, so a chunk
/// only bounds how often progress is read back and printed.
const UNITS: usize = 200;

/// Starts `kind` in `session` with `config` and trains it to its end: the page's way
/// ([`Session::start`], then chunks of [`Session::train`]), the same for every model, with
/// what is printed on the way `Reporter`'s.
fn train(session: &mut Session, kind: Kind, config: &impl serde::Serialize, bench: &Bench) -> Result<()> {
    let config = serde_json::to_value(config).map_err(|e| Error::Config(e.to_string()))?;
    let (settings, steps_per_epoch) = session.start(kind, config, &bench.train, &bench.test, &bench.device)?;
    let mut reporter = Reporter::new(kind, settings, steps_per_epoch, bench.backend)?;
    while !session.get(kind).is_some_and(Run::is_done) {
        reporter.progress(&pollster::block_on(session.train(kind, UNITS, None))?);
    }
    reporter.finish();
    Ok(())
}

/// What the terminal is told while a model trains: one loop for every model, each model's own
/// lines (every match names every model, so a new one is listed by the compiler here too).
struct Reporter {
    kind: Kind,
    /// Images or codes per step.
    batch: usize,
    /// A WGAN's critic steps per generator step.
    critic_steps: usize,
    started: Instant,
    epoch_started: Instant,
    /// The reported steps' losses since the last epoch ended, and a WGAN's score gaps.
    losses: Vec<f32>,
    gaps: Vec<f32>,
}

impl Reporter {
    /// Says what is about to train, from the settings in force.
    fn new(kind: Kind, settings: serde_json::Value, steps_per_epoch: usize, backend: Backend) -> Result<Reporter> {
        let typed = |e: serde_json::Error| Error::Config(e.to_string());
        let (batch, critic_steps) = match kind {
            Kind::Autoencoder | Kind::Vae | Kind::Aae => {
                let config: AeTrainingConfig = serde_json::from_value(settings).map_err(typed)?;
                if kind == Kind::Autoencoder {
                    println!(
                        "training the autoencoder on {} images ({steps_per_epoch} steps per epoch, {} epochs) on {backend:?}",
                        config.train_images, config.epochs
                    );
                } else {
                    println!("training the {} ({} epochs)", kind.label(), config.epochs);
                }
                (config.batch_size, 0)
            }
            Kind::Flow => {
                let config: FlowTrainingConfig = serde_json::from_value(settings).map_err(typed)?;
                println!("fitting RealNVP ({} coupling layers, width {}) to the codes", config.flow.layers, config.flow.hidden);
                (config.batch_size, 0)
            }
            Kind::Wgan => {
                let config: WganTrainingConfig = serde_json::from_value(settings).map_err(typed)?;
                println!(
                    "training the AdvAE generator ({:?} loss, {} critic steps per generator step, {steps_per_epoch} generator steps per epoch)",
                    config.loss, config.critic_steps
                );
                (config.batch_size, config.critic_steps)
            }
        };
        let now = Instant::now();
        Ok(Reporter { kind, batch, critic_steps, started: now, epoch_started: now, losses: Vec::new(), gaps: Vec::new() })
    }

    /// A chunk's progress: a line when the codes are encoded and at each epoch's end.
    fn progress(&mut self, progress: &Progress) {
        if let Some((done, total)) = progress.preparing {
            if done == total {
                println!("encoded {total} digits in {:.1} s", self.started.elapsed().as_secs_f64());
                self.epoch_started = Instant::now();
            }
            return;
        }
        self.losses.extend(&progress.losses);
        self.gaps.extend(&progress.wasserstein);
        let Some((epoch, held_out)) = progress.test_loss else { return };
        let seconds = self.epoch_started.elapsed().as_secs_f64();
        let steps = self.losses.len() as f64;
        let mean = |values: &[f32]| values.iter().sum::<f32>() / values.len().max(1) as f32;
        match self.kind {
            Kind::Autoencoder => println!(
                "epoch {epoch}: train loss {:.2}, test loss {held_out:.2} nats/image, {:.0} images/s",
                mean(&self.losses),
                steps * self.batch as f64 / seconds
            ),
            Kind::Vae | Kind::Aae => println!("{} epoch {epoch}: test loss {held_out:.2} nats/image", self.kind.label()),
            Kind::Flow => println!("flow epoch {epoch}: held-out NLL {held_out:.4} nats/dim, {:.0} steps/s", steps / seconds),
            Kind::Wgan => println!(
                "wgan epoch {epoch}: critic gap {:.4} (training), {held_out:.4} (held-out); \
                 {:.0} generator and {:.0} critic steps/s",
                mean(&self.gaps),
                steps / seconds,
                steps * self.critic_steps as f64 / seconds
            ),
        }
        self.losses.clear();
        self.gaps.clear();
        self.epoch_started = Instant::now();
    }

    /// The run has ended.
    fn finish(&self) {
        match self.kind {
            Kind::Autoencoder | Kind::Vae | Kind::Aae => println!("trained in {:.1} s", self.started.elapsed().as_secs_f64()),
            Kind::Flow | Kind::Wgan => {}
        }
    }
}

/// `train-ae`, and the first phase of the others: the autoencoder trained in a new session,
/// its reconstructions and its decodings of z ~ N(0, I) written.
fn train_ae(opts: &Options) -> Result<(Bench, Session)> {
    let config = ae_config(opts)?;
    let bench = Bench::new(opts)?;
    let mut session = Session::default();
    train(&mut session, Kind::Autoencoder, &config, &bench)?;
    let recon = pollster::block_on(session.encoder(Kind::Autoencoder)?.reconstructions(64))?;
    let mut rows = Vec::new();
    for (input, output) in recon.inputs.chunks(8 * 784).zip(recon.outputs.chunks(8 * 784)) {
        rows.extend_from_slice(input);
        rows.extend_from_slice(output);
    }
    let out = &bench.out;
    write_png(&out.join("reconstructions.png"), &digit_grid(&rows, 8))?;
    let samples = pollster::block_on(session.samples(Kind::Autoencoder, 64, 1.0, config.seed))?;
    write_png(&out.join("prior-samples.png"), &digit_grid(&samples, 8))?;
    println!("wrote {} and {}", out.join("reconstructions.png").display(), out.join("prior-samples.png").display());
    Ok((bench, session))
}

/// `train-classifier`: the FCD classifier, trained on binarized digits and saved.
fn train_classifier(opts: &Options) -> Result<()> {
    let defaults = ClassifierTrainingConfig::default();
    let config = ClassifierTrainingConfig {
        epochs: opts.number("epochs", defaults.epochs)?,
        batch_size: opts.number("batch-size", defaults.batch_size)?,
        learning_rate: opts.number("lr", defaults.learning_rate)?,
        seed: opts.number("seed", defaults.seed)?,
    };
    let backend = Backend::parse(&opts.text("backend", "cpu"))?;
    let (train, test) = load_data(opts, DataSet::default())?;
    let set = train.set();
    let path = PathBuf::from(opts.text("weights", &format!("www/{}", set.classifier())));
    writable_file(&path)?;
    let device = pollster::block_on(backend::device(backend))?;
    let mut trainer = ClassifierTrainer::new(config.clone(), &train, &device)?;
    println!("training the classifier on {} binarized {} of {} ({} epochs) on {backend:?}", train.len(), set.items(), set.title(), config.epochs);
    let mut epoch_started = Instant::now();
    let mut test_accuracy = 0.0;
    while !trainer.is_done() {
        let progress = pollster::block_on(trainer.run(100))?;
        if progress.step % trainer.steps_per_epoch() == 0 {
            test_accuracy = pollster::block_on(accuracy(&trainer.model(), &test, &device))?;
            println!(
                "epoch {}: test accuracy {:.2}% ({:.0} images/s)",
                progress.epoch,
                100.0 * test_accuracy,
                (trainer.steps_per_epoch() * config.batch_size) as f64 / epoch_started.elapsed().as_secs_f64()
            );
            epoch_started = Instant::now();
        }
    }
    let meta = serde_json::json!({ "test_accuracy": test_accuracy, "pixels": "binarized", "config": config, "data": set.name() });
    let file = pollster::block_on(trainer.model().to_file(meta))?;
    let bytes = file.to_bytes();
    write_file(&path, &bytes)?;
    println!("wrote {} ({} bytes, test accuracy {:.2}%)", path.display(), bytes.len(), 100.0 * test_accuracy);
    Ok(())
}

/// What the sampling phases share: how many samples to write, and at what temperature.
struct Sampling {
    count: usize,
    temperature: f32,
    seed: u64,
}

/// `table`: `train_latent`'s table once per seed, then every run's scores side by side.
fn table(opts: &Options) -> Result<()> {
    let seeds: u64 = opts.number("seeds", 1)?;
    flowae::limits::check("--seeds", seeds, &flowae::limits::SEEDS)?;
    if seeds > 1 && opts.get("models").is_some() {
        return Err(Error::Config("--models saves one run's models: give it without --seeds".into()));
    }
    only(opts)?; // a bad list is refused before the first run, not after it
    let first = ae_config(opts)?.seed;
    let last = first + seeds - 1;
    flowae::limits::check("the last seed (--seed + --seeds - 1)", last, &flowae::limits::SEED)?;
    if seeds == 1 {
        return train_latent("table", opts).map(|_| ());
    }
    let out = PathBuf::from(opts.text("out", "out"));
    writable_dir(&out)?;
    // Every run's folder, before hours of training depend on the last of them.
    for seed in first..=last {
        writable_dir(&out.join(format!("seed-{seed}")))?;
    }
    let mut runs = Vec::new();
    for seed in first..=last {
        println!("\n=== seed {seed} ({} of {seeds}) ===", seed - first + 1);
        let run = opts.with("seed", seed.to_string()).with("out", out.join(format!("seed-{seed}")).display().to_string());
        runs.extend(train_latent("table", &run)?);
    }
    let text = flowae::table::markdown(&runs, named_set(opts));
    print!("\n{text}");
    let path = out.join("table.md");
    write_file(&path, text.as_bytes())?;
    println!("wrote {}", path.display());
    Ok(())
}

/// The models `--only` names (every model with a row in Table 1 when it is not given).
fn only(opts: &Options) -> Result<Vec<Kind>> {
    let table_1: Vec<Kind> = Kind::ALL.into_iter().filter(|k| k.paper_fcd().is_some()).collect();
    let Some(list) = opts.get("only") else { return Ok(table_1) };
    let kinds = list.split(',').map(|name| Kind::parse(name.trim())).collect::<Result<Vec<Kind>>>()?;
    if let Some(kind) = kinds.iter().find(|k| !table_1.contains(k)) {
        return Err(Error::Config(format!("--only names the models of Table 1 ({}), not {}", names(&table_1), kind.name())));
    }
    Ok(kinds)
}

/// `train-flow`, `train-wgan`, `train-both` and `table`: the autoencoder, then the latent
/// models; `table` also the baselines, then scores every model's samples with the FCD and
/// returns the scores. Every model trains through the one run loop (see [`train`]).
fn train_latent(command: &str, opts: &Options) -> Result<Option<Scores>> {
    let started = Instant::now();
    let seed = ae_config(opts)?.seed;
    let wanted = if command == "table" { only(opts)? } else { vec![Kind::Flow, Kind::Wgan] };
    let flow_config = (command != "train-wgan" && wanted.contains(&Kind::Flow)).then(|| flow_config(opts, seed)).transpose()?;
    let wgan_config = (command != "train-flow" && wanted.contains(&Kind::Wgan)).then(|| wgan_config(opts, seed)).transpose()?;
    let sampling = Sampling { count: sample_count(opts, flowae::npy::SAMPLES_SAVED)?, temperature: opts.number("temperature", 1.0)?, seed };
    let models_path = opts.get("models").map(PathBuf::from);
    if let Some(path) = &models_path {
        writable_file(path)?; // before the training, not after it
    }
    let classifier = if command == "table" { Some(load_classifier(opts)?) } else { None };
    let (bench, mut session) = train_ae(opts)?;
    let prior = pollster::block_on(session.samples(Kind::Autoencoder, 64, 1.0, sampling.seed))?;
    let prior_grid = digit_grid(&prior, 8);
    let mut made = Vec::new();
    if let Some(config) = flow_config {
        train(&mut session, Kind::Flow, &config, &bench)?;
        let flow = write_latent_samples(&session, Kind::Flow, &sampling, &bench.out)?;
        write_png(&bench.out.join("flowae-vs-prior.png"), &side_by_side(&flow.grid, &prior_grid))?;
        made.push((Kind::Flow, flow));
    }
    if let Some(config) = wgan_config {
        train(&mut session, Kind::Wgan, &config, &bench)?;
        let wgan = write_latent_samples(&session, Kind::Wgan, &sampling, &bench.out)?;
        write_png(&bench.out.join("advae-vs-prior.png"), &side_by_side(&wgan.grid, &prior_grid))?;
        made.push((Kind::Wgan, wgan));
    }
    if let [(_, flow), (_, wgan)] = &made[..] {
        write_png(&bench.out.join("advae-vs-flowae.png"), &side_by_side(&wgan.grid, &flow.grid))?;
        println!("wrote {} (AdvAE left, FlowAE right)", bench.out.join("advae-vs-flowae.png").display());
    }
    let mut scores = None;
    if let Some(classifier) = classifier {
        for kind in [Kind::Aae, Kind::Vae].into_iter().filter(|k| wanted.contains(k)) {
            made.push((kind, train_baseline(&mut session, kind, opts, &bench, &sampling)?));
        }
        scores = Some(write_table(&classifier, &bench, &session, &made, sampling.count, seed, started)?);
    }
    if let Some(path) = models_path {
        save_models(&session, &path, command)?;
    }
    Ok(scores)
}

/// Writes every model of `session` to `path` as one file.
fn save_models(session: &Session, path: &Path, command: &str) -> Result<()> {
    let file = pollster::block_on(session.to_file(session::about(&format!("flowae {command}"))))?;
    let bytes = file.to_bytes();
    write_file(path, &bytes)?;
    println!("wrote {} ({} bytes: {})", path.display(), bytes.len(), names(&session.models()));
    Ok(())
}

/// `compact`: a models file rewritten with f16 tensors where they are exact enough, for shipping.
/// Only a whole file is compacted: every model must load and sample, before and after.
fn compact(opts: &Options) -> Result<()> {
    let (from, to) = (PathBuf::from(opts.text("models", "")), PathBuf::from(opts.text("to", "")));
    if from.as_os_str().is_empty() || to.as_os_str().is_empty() {
        return Err(Error::Config("compact needs --models FILE and --to FILE".into()));
    }
    writable_file(&to)?;
    let bytes = read_file(&from)?;
    let file = WeightsFile::from_bytes(&bytes).map_err(|e| e.about(from.display()))?;
    let data = models_data(opts, &file)?;
    let (session, broken) = open_checked(&from, &file, &data)?;
    if !broken.is_empty() {
        return Err(Error::Data(format!("{}: {}; nothing was written", from.display(), broken)));
    }
    let half = file.to_bytes_half();
    let (_, broken) = open_checked(&to, &WeightsFile::from_bytes(&half).map_err(|e| e.about(to.display()))?, &data)?;
    if !broken.is_empty() {
        return Err(Error::Data(format!("the compacted file would not be usable: {broken}; nothing was written")));
    }
    write_file(&to, &half)?;
    println!("wrote {} ({} bytes, from {}: {})", to.display(), half.len(), bytes.len(), names(&session.models()));
    Ok(())
}

/// What a models file is opened with: the digits its models encode and reconstruct, and the
/// device.
struct ModelsData {
    train: Digits,
    test: Digits,
    device: burn::prelude::Device,
}

/// The data set is `--data`'s, else the one the file's models learned.
fn models_data(opts: &Options, file: &WeightsFile) -> Result<ModelsData> {
    let learned = DataSet::of_meta(&file.meta).unwrap_or_default();
    let (train, test) = load_data(opts, learned)?;
    let device = pollster::block_on(backend::device(Backend::parse(&opts.text("backend", "cpu"))?))?;
    Ok(ModelsData { train, test, device })
}

/// A models file (read once by the caller) opened model by model and each model checked by its
/// samples (see `Session::open`): the models that can be used, and what is wrong with the
/// others, in words (empty when nothing is). A file that does not fit as a whole is refused,
/// naming `path`.
fn open_checked(path: &Path, file: &WeightsFile, data: &ModelsData) -> Result<(Session, String)> {
    let opened = Session::open(file, &data.train, &data.test, &data.device).map_err(|e| e.about(path.display()))?;
    let opened = pollster::block_on(opened.checked());
    let problems = opened.problems();
    Ok((opened.session, problems))
}

/// `sample`: loads a models file and writes each model's samples; a model that cannot be used
/// is named, the others' samples are written, and the command fails.
fn sample(opts: &Options) -> Result<()> {
    let path = PathBuf::from(opts.text("models", "www/models/pretrained.bin"));
    let (count, temperature, seed) = (sample_count(opts, 64)?, opts.number("temperature", 1.0f32)?, opts.number("seed", 1u64)?);
    flowae::limits::check("--temperature", temperature, &flowae::limits::TEMPERATURE)?;
    let out = PathBuf::from(opts.text("out", "out"));
    writable_dir(&out)?;
    let file = WeightsFile::from_bytes(&read_file(&path)?).map_err(|e| e.about(path.display()))?;
    let (session, broken) = open_checked(&path, &file, &models_data(opts, &file)?)?;
    println!("{} holds: {}", path.display(), if session.models().is_empty() { "no usable model".into() } else { names(&session.models()) });
    for kind in session.models() {
        write_samples(&out, kind, pollster::block_on(session.samples(kind, count, temperature, seed))?)?;
    }
    if !broken.is_empty() {
        return Err(Error::Data(format!("{}: {broken}", path.display())));
    }
    Ok(())
}

/// A baseline with the autoencoder's widths, data and seed, sampled by decoding z ~ N(0, I):
/// the VAE (a variational encoder, trained on its ELBO) or the AAE (a discriminator pulling the
/// codes toward N(0, I)), each for its own `--vae-epochs`/`--aae-epochs` and learning rate (see
/// `AeTrainingConfig::baseline_defaults`). Writes its samples.
fn train_baseline(session: &mut Session, kind: Kind, opts: &Options, bench: &Bench, sampling: &Sampling) -> Result<Made> {
    let config = ae_config(opts)?.baseline(kind)?;
    let config = settings::from_flags(Section::Model(kind), defaults(opts)?, config, |flag| opts.get(flag))?;
    train(session, kind, &config, bench)?;
    report_prior_distance(kind.label(), session.encoder(kind)?, &bench.device)?;
    write_samples(&bench.out, kind, pollster::block_on(session.samples(kind, sampling.count, 1.0, sampling.seed))?)
}

/// The FCD classifier of `--classifier`, by default the one shipped for `--data`'s set; refused
/// when it learned another data set (its features would score these images as foreign).
fn load_classifier(opts: &Options) -> Result<flowae::models::Classifier> {
    let set = named_set(opts);
    let path = PathBuf::from(opts.text("classifier", &format!("www/{}", set.classifier())));
    let bytes = read_file(&path)?;
    let device = burn::prelude::Device::flex();
    let file = WeightsFile::from_bytes(&bytes).map_err(|e| e.about(path.display()))?;
    set.check_classifier(&file.meta).map_err(|e| e.about(path.display()))?;
    flowae::models::Classifier::from_file(&file, &device).map_err(|e| e.about(path.display()))
}

/// The paper's Table 1 for the models made here: FCD of `count` samples of each against the
/// test digits, and of real training digits against them as the floor. Printed and written to
/// table.md; returned for `--seeds`.
fn write_table(
    classifier: &flowae::models::Classifier,
    bench: &Bench,
    session: &Session,
    made: &[(Kind, Made)],
    count: usize,
    seed: u64,
    started: Instant,
) -> Result<Scores> {
    let device = burn::prelude::Device::flex();
    let pixels = flowae::data::Pixels::Grayscale; // binarized inside the FCD, like the samples
    let n = count.min(bench.test.len()).min(bench.train.len());
    let test = bench.test.batch(&(0..n).collect::<Vec<_>>(), pixels);
    let real = bench.train.batch(&(0..n).collect::<Vec<_>>(), pixels);
    // The test digits' features are the reference of every row: computed once.
    let reference = pollster::block_on(feature_gaussian(classifier, &test, &device))?;
    let score = |images: &[f32]| -> Result<f64> {
        frechet_distance(&pollster::block_on(feature_gaussian(classifier, images, &device))?, &reference)
    };
    let mut scores = Scores { seed, real: score(&real)?, models: Vec::new(), decoded: None, samples: n, seconds: 0.0 };
    for (kind, made) in made {
        scores.models.push((*kind, score(&made.samples[..n * 784])?));
    }
    if made.iter().any(|(kind, _)| !kind.has_encoder()) {
        let autoencoder = session.encoder(Kind::Autoencoder)?;
        scores.decoded = Some(score(&pollster::block_on(autoencoder.training_reconstructions(n))?)?);
    }
    scores.seconds = started.elapsed().as_secs_f64();
    let text = flowae::table::markdown(std::slice::from_ref(&scores), bench.train.set());
    print!("\n{text}");
    let path = bench.out.join("table.md");
    write_file(&path, text.as_bytes())?;
    println!("wrote {}", path.display());
    Ok(scores)
}

/// The preset `--preset` names, whose values fill every setting no flag gives.
fn preset(opts: &Options) -> Result<Preset> {
    opts.get("preset").map_or(Ok(Preset::DEFAULT), Preset::parse)
}

/// The defaults every setting no flag gives takes: `--preset`'s at `--length` (Table 1's full
/// length unless told otherwise).
fn defaults(opts: &Options) -> Result<Defaults> {
    let length = opts.get("length").map_or(Ok(Length::TABLE), Length::parse)?;
    Ok(Defaults { preset: preset(opts)?, length })
}

/// The autoencoder's settings from the flags (the defaults where none is given).
fn ae_config(opts: &Options) -> Result<AeTrainingConfig> {
    settings::from_flags(Section::Model(Kind::Autoencoder), defaults(opts)?, AeTrainingConfig::default(), |flag| opts.get(flag))
}

/// The flow's settings from its flags, seeded by `seed` as the autoencoder is.
fn flow_config(opts: &Options, seed: u64) -> Result<FlowTrainingConfig> {
    let base = FlowTrainingConfig { seed, ..Default::default() };
    let config = settings::from_flags(Section::Model(Kind::Flow), defaults(opts)?, base, |flag| opts.get(flag))?;
    config.validate(ae_config(opts)?.model.latent, usize::MAX)?;
    Ok(config)
}

/// The generator's and critic's settings from their flags, seeded by `seed`.
fn wgan_config(opts: &Options, seed: u64) -> Result<WganTrainingConfig> {
    let base = WganTrainingConfig { seed, ..Default::default() };
    let config = settings::from_flags(Section::Model(Kind::Wgan), defaults(opts)?, base, |flag| opts.get(flag))?;
    config.validate(ae_config(opts)?.model.latent, usize::MAX)?;
    Ok(config)
}

/// What a generative model made: all its samples (`count × 784`) and a grid of the first 64.
struct Made {
    samples: Vec<f32>,
    grid: Gray,
}

/// Writes a latent model's samples (FlowAE's or AdvAE's), after printing how far its codes are
/// from the encoded test digits.
fn write_latent_samples(session: &Session, kind: Kind, sampling: &Sampling, out: &Path) -> Result<Made> {
    let sampler = session.sampler(kind)?;
    let codes = pollster::block_on(sampler.codes(sampling.count, sampling.temperature, sampling.seed))?;
    report_latent_distance(kind.label(), &codes, &session.latent_codes()?)?;
    write_samples(out, kind, pollster::block_on(sampler.samples(sampling.count, sampling.temperature, sampling.seed))?)
}

/// Prints the Fréchet distance between a baseline's codes of the test digits (a VAE's means)
/// and N(0, I), the prior it samples from: how far the regularizer (the KL term, the AAE's
/// discriminator) brought the codes to where samples are drawn.
fn report_prior_distance(model: &str, trainer: &AeTrainer, device: &burn::prelude::Device) -> Result<()> {
    let mut codes = trainer.frozen_codes()?;
    while !codes.is_ready() {
        pollster::block_on(codes.encode_some(16, device))?;
    }
    let k = codes.latent();
    let prior = Gaussian { dim: k, mean: vec![0.0; k], cov: (0..k * k).map(|i| if i % (k + 1) == 0 { 1.0 } else { 0.0 }).collect() };
    let distance = frechet_distance(&Gaussian::fit(codes.test(), k)?, &prior)?;
    println!("{model}: latent Fréchet distance of the encoded test digits to N(0, I) {distance:.4}");
    Ok(())
}

/// Prints the Fréchet distance between generated codes and the encoded test digits.
fn report_latent_distance(model: &str, generated: &[f32], codes: &LatentCodes) -> Result<()> {
    let k = codes.latent();
    let distance = frechet_distance(&Gaussian::fit(generated, k)?, &Gaussian::fit(codes.test(), k)?)?;
    println!("{model}: latent Fréchet distance to the encoded test digits {distance:.4}");
    Ok(())
}

/// Writes `<name>-samples.npy` and `<name>-samples.png` (the first 64).
/// `<label>-samples.npy` and `.png`, the label lowercased: flowae, advae, vae, aae, prior.
fn write_samples(out: &Path, kind: Kind, samples: Vec<f32>) -> Result<Made> {
    let name = kind.label().to_lowercase();
    let npy = out.join(format!("{name}-samples.npy"));
    write_file(&npy, &digits_to_npy(&samples))?;
    let grid = digit_grid(&samples[..samples.len().min(64 * 784)], 8);
    let png = out.join(format!("{name}-samples.png"));
    write_png(&png, &grid)?;
    println!("wrote {} ({} samples) and {}", npy.display(), samples.len() / 784, png.display());
    Ok(Made { samples, grid })
}

/// Two pictures of the same height next to each other.
fn side_by_side(left: &Gray, right: &Gray) -> Gray {
    const GAP: usize = 12;
    let width = left.width + GAP + right.width;
    let height = left.height.max(right.height);
    let mut pixels = vec![0u8; width * height];
    for (image, x0) in [(left, 0), (right, left.width + GAP)] {
        for y in 0..image.height {
            pixels[y * width + x0..y * width + x0 + image.width]
                .copy_from_slice(&image.pixels[y * image.width..(y + 1) * image.width]);
        }
    }
    Gray { width, height, pixels }
}

fn write_png(path: &Path, image: &Gray) -> Result<()> {
    let fail = |e: &dyn std::fmt::Display| Error::Data(format!("cannot encode {}: {e}", path.display()));
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, image.width as u32, image.height as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| fail(&e))?;
    writer.write_image_data(&image.pixels).map_err(|e| fail(&e))?;
    writer.finish().map_err(|e| fail(&e))?;
    write_file(path, &bytes)
}
