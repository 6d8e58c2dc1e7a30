//! The native tool, end to end on a subset.

use crate::common;

use std::process::Command;

fn flowae(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_flowae")).args(args).output().expect("the binary runs")
}

#[test]
fn trains_and_writes_png_grids() {
    let out = std::env::temp_dir().join(format!("flowae-cli-{}", std::process::id()));
    let data = common::mnist_dir();
    let result = flowae(&[
        "train-ae", "--data", data.to_str().unwrap(), "--epochs", "2", "--train-images", "400",
        "--test-images", "100", "--batch-size", "50", "--out", out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(result.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&result.stderr));
    assert!(stdout.contains("epoch 1:") && stdout.contains("epoch 2:"), "{stdout}");
    let left: Vec<_> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.iter().all(|name| !name.to_string_lossy().ends_with(".partial")), "files are written whole, then renamed: {left:?}");
    // The page's quick run: its digits and epochs, unless a flag says otherwise.
    let quick = flowae(&["train-ae", "--data", data.to_str().unwrap(), "--length", "quick", "--train-images", "400", "--test-images", "100", "--out", out.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&quick.stdout);
    assert!(quick.status.success(), "{said}\n{}", String::from_utf8_lossy(&quick.stderr));
    let epochs = flowae::length::Length::Quick.value_of(flowae::Kind::Autoencoder, "epochs").unwrap();
    assert!(said.contains(&format!("{epochs} epochs")) && said.contains(&format!("epoch {epochs}:")) && !said.contains(&format!("epoch {}:", epochs + 1)), "{said}");
    for name in ["reconstructions.png", "prior-samples.png"] {
        let bytes = std::fs::read(out.join(name)).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{name} is not a PNG");
        // 8 columns of 28 px + gaps = 242 px wide.
        assert_eq!(u32::from_be_bytes(bytes[16..20].try_into().unwrap()), 242);
    }
    std::fs::remove_dir_all(out).ok();
}

#[test]
fn explains_bad_arguments_instead_of_panicking() {
    let data = common::mnist_dir();
    let cases: [(&[&str], &str); 23] = [
        (&["table", "--seeds", "0"], "--seeds must be between 1 and 100, not 0"),
        (&["table", "--only", "flow,autoencoder"], "--only names the models of Table 1"),
        (&["table", "--seeds", "2", "--models", "/tmp/x.bin"], "--models saves one run's models"),
        (&["table", "--preset", "best"], "no preset called \"best\" (the presets are tuned, paper)"),
        (&["sample", "--samples", "10000000000000000000"], "--samples must be between 2 and 100000"),
        (&["train-flow", "--flow-lrr", "0.1"], "unknown option --flow-lrr"),
        (&["train-flow", "--layers", "33"], "--layers must be between 1 and 32, not 33"),
        (&["train-ae", "--threads", "0"], "--threads must be between 1 and"),
        (&["train-ae", "--epochs", "zero"], "--epochs must be a number"),
        (&["train-ae", "--epochs", "0", "--data", data.to_str().unwrap()], "epochs must be between"),
        (&["train-ae", "--data", "/nonexistent"], "cannot read /nonexistent"),
        (&["train-ae", "--data", "own"], "your own images are read in the page, from your own files: here, give --data a folder"),
        (&["train-ae", "--backend", "tpu"], "backend must be"),
        (&["dance"], "expected a command"),
        // Issue 26: a value a command would ignore or read only hours later is refused at once.
        (&["sample", "--preset", "bogus"], "sample does not take --preset"),
        (&["compact", "--epochs", "3"], "compact does not take --epochs"),
        (&["train-ae", "--preset", "bogus"], "no preset called \"bogus\""),
        (&["table", "--aae-epochs", "zero", "--data", data.to_str().unwrap()], "--aae-epochs must be a number"),
        (&["table", "--vae-lr", "5"], "--vae-lr must be between"),
        (&["train-flow", "--backend", "tpu"], "backend must be"),
        (&["sample", "--temperature", "-1"], "--temperature must be between 0 and 10"),
        (&["table", "--length", "short"], "no run length called \"short\" (the lengths are quick, full)"),
        (&["sample", "--length", "quick"], "sample does not take --length"),
    ];
    for (args, expected) in cases {
        let result = flowae(args);
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(!result.status.success(), "{args:?} should fail");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!String::from_utf8_lossy(&result.stdout).contains("training"), "{args:?}: refused only after training began");
    }
}

/// Where the results go is checked before the training that makes them, not after it.
#[test]
fn refuses_an_unwritable_destination_before_training() {
    let data = common::mnist_dir();
    let blocker = std::env::temp_dir().join(format!("flowae-blocker-{}", std::process::id()));
    std::fs::write(&blocker, b"a file, not a folder").unwrap();
    let inside = |name: &str| blocker.join(name).to_str().unwrap().to_string();
    let small = ["--data", data.to_str().unwrap(), "--epochs", "1", "--train-images", "200", "--test-images", "50", "--batch-size", "50"];
    for (command, flag, target) in [("train-flow", "--models", inside("models.bin")), ("train-ae", "--out", inside("out"))] {
        let mut args = vec![command, flag, target.as_str()];
        args.extend(small);
        let result = flowae(&args);
        let (stdout, stderr) = (String::from_utf8_lossy(&result.stdout), String::from_utf8_lossy(&result.stderr));
        assert!(!result.status.success(), "{args:?}");
        assert!(stderr.contains("cannot create") && stderr.contains(&blocker.display().to_string()), "{args:?}: {stderr}");
        assert!(!stdout.contains("training the autoencoder"), "{args:?}: refused only after training:\n{stdout}");
    }
    std::fs::remove_file(blocker).ok();
}

/// A damaged models file is named once, and its error's kind said once.
#[test]
fn a_damaged_models_file_is_named_once() {
    let path = std::env::temp_dir().join(format!("flowae-damaged-{}.bin", std::process::id()));
    std::fs::write(&path, b"FLOWAE-WEIGHTS but not really").unwrap();
    let out = std::env::temp_dir().join(format!("flowae-damaged-out-{}", std::process::id()));
    let result = flowae(&["sample", "--models", path.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!result.status.success());
    assert_eq!(stderr.matches(&path.display().to_string()).count(), 1, "{stderr}");
    assert_eq!(stderr.matches("data error").count(), 1, "{stderr}");
    std::fs::remove_file(path).ok();
    std::fs::remove_dir_all(out).ok();
}

/// The CPU backend's larger matrix products, Adam's update and the fused BatchNorm → ELU passes
/// are split across `--threads`; every element is still computed by the same arithmetic, so
/// the trained models are the same bits on one thread or three.
#[test]
fn the_same_models_on_any_number_of_threads() {
    let data = common::mnist_dir();
    let files: Vec<Vec<u8>> = ["1", "3"]
        .iter()
        .map(|threads| {
            let out = std::env::temp_dir().join(format!("flowae-threads-{threads}-{}", std::process::id()));
            let models = out.join("models.bin");
            // Batch 100 of 300-wide layers: above the sizes at which each of them is split.
            let result = flowae(&[
                "train-flow", "--threads", threads, "--data", data.to_str().unwrap(), "--epochs", "1",
                "--train-images", "300", "--test-images", "100", "--flow-epochs", "1", "--samples", "10",
                "--out", out.to_str().unwrap(), "--models", models.to_str().unwrap(),
            ]);
            assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
            let bytes = std::fs::read(&models).unwrap();
            std::fs::remove_dir_all(out).ok();
            bytes
        })
        .collect();
    assert!(files[0].len() > 1_000_000, "an autoencoder's worth of weights");
    assert!(files[0] == files[1], "the models trained on 1 and on 3 threads differ");
}

#[test]
fn trains_a_flow_and_writes_samples_as_npy() {
    let out = std::env::temp_dir().join(format!("flowae-flow-{}", std::process::id()));
    let data = common::mnist_dir();
    let result = flowae(&[
        "train-flow", "--data", data.to_str().unwrap(), "--epochs", "1", "--train-images", "500",
        "--test-images", "100", "--batch-size", "50", "--flow-epochs", "2", "--samples", "300",
        "--out", out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(result.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&result.stderr));
    assert!(stdout.contains("flow epoch 2: held-out NLL"), "{stdout}");
    let npy = std::fs::read(out.join("flowae-samples.npy")).unwrap();
    assert_eq!(&npy[..6], b"\x93NUMPY");
    let header_len = u16::from_le_bytes([npy[8], npy[9]]) as usize;
    assert_eq!((10 + header_len) % 64, 0, "the header is padded to 64 bytes");
    let header = std::str::from_utf8(&npy[10..10 + header_len]).unwrap();
    assert!(header.contains("'descr': '|u1'") && header.contains("'shape': (300, 28, 28)"), "{header}");
    assert_eq!(npy.len(), 10 + header_len + 300 * 784);
    assert!(npy[10 + header_len..].iter().any(|&p| p > 128), "samples have ink");
    for name in ["flowae-samples.png", "flowae-vs-prior.png"] {
        assert!(std::fs::read(out.join(name)).unwrap().starts_with(b"\x89PNG"), "{name}");
    }
    std::fs::remove_dir_all(out).ok();
}

/// `table --seeds`: every run's FCD side by side, their mean ± sd and the order's count; each
/// run's files in a folder of its own; `--only` trains only the models named.
#[test]
fn a_table_over_two_seeds_gives_each_run_and_the_spread() {
    let out = std::env::temp_dir().join(format!("flowae-table-{}", std::process::id()));
    let data = common::mnist_dir();
    let result = flowae(&[
        "table", "--data", data.to_str().unwrap(), "--epochs", "1", "--train-images", "500", "--test-images", "100",
        "--batch-size", "50", "--flow-epochs", "1", "--flow-batch-size", "50", "--aae-epochs", "1", "--samples", "200",
        "--seeds", "2", "--seed", "7", "--only", "flow,aae", "--out", out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(result.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&result.stderr));
    assert!(!stdout.contains("| AdvAE |") && !stdout.contains("training the AdvAE") && !stdout.contains("training the VAE"), "--only flow,aae: {stdout}");
    assert!(stdout.contains("AAE: latent Fréchet distance of the encoded test digits to N(0, I)"), "{stdout}");
    let table = std::fs::read_to_string(out.join("table.md")).unwrap();
    assert!(table.starts_with("| Model | seed 7 | seed 8 | mean ± sd | paper |"), "{table}");
    let row = |label: &str| -> Vec<f64> {
        let line = table.lines().find(|l| l.starts_with(&format!("| {label} |"))).unwrap_or_else(|| panic!("no {label} row: {table}"));
        line.split('|').skip(2).take(2).map(|cell| cell.trim().parse().unwrap()).collect()
    };
    // The floor under FlowAE: the autoencoder's decodings of training digits, scored alike.
    for label in ["Real data", "FlowAE", "AAE", "Decoded training codes (floor of FlowAE, AdvAE)"] {
        let values = row(label);
        assert!(values.iter().all(|v| v.is_finite() && *v > 0.0), "{label}: {values:?}");
    }
    assert_ne!(row("FlowAE")[0], row("FlowAE")[1], "two seeds, two runs: {table}");
    assert!(table.contains("The paper's order (FlowAE < AAE) held in"), "{table}");
    for seed in ["seed-7", "seed-8"] {
        assert!(out.join(seed).join("table.md").exists() && out.join(seed).join("flowae-samples.png").exists(), "{seed}");
    }
    std::fs::remove_dir_all(out).ok();
}

/// A copy of the shipped pretrained models with the tensors whose names start with `prefix` and
/// end with `suffix` set to `value`, written to a file of its own.
fn damaged_pretrained(name: &str, prefix: &str, suffix: &str, value: f32) -> std::path::PathBuf {
    let bytes = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/models/pretrained.bin")).unwrap();
    let mut file = flowae::weights::WeightsFile::from_bytes(&bytes).unwrap();
    let mut changed = 0;
    for tensor in file.tensors.iter_mut().filter(|t| t.name.starts_with(prefix) && t.name.ends_with(suffix)) {
        tensor.values.iter_mut().for_each(|v| *v = value);
        changed += 1;
    }
    assert!(changed > 0);
    let path = std::env::temp_dir().join(format!("flowae-{name}-{}.bin", std::process::id()));
    std::fs::write(&path, file.to_bytes()).unwrap();
    path
}

/// Issue 26: `sample` on a file whose decoder weights are all 3e38 wrote solid squares and
/// exited 0; on one whose generator alone is damaged it must still write the others' samples,
/// and fail naming the generator. `compact` must not write a compacted copy of either.
#[test]
fn damaged_models_are_named_and_never_written_or_compacted() {
    let data = common::mnist_dir();
    let out = std::env::temp_dir().join(format!("flowae-damaged-models-{}", std::process::id()));
    let absurd = damaged_pretrained("absurd", "autoencoder.decoder.", "weight", 3e38);
    let result = flowae(&["sample", "--models", absurd.to_str().unwrap(), "--data", data.to_str().unwrap(), "--samples", "16", "--out", out.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!result.status.success(), "{stderr}");
    assert!(stderr.contains("its autoencoder cannot be used") && stderr.contains("which no training can make"), "{stderr}");
    assert!(stderr.contains("its flow (FlowAE) cannot be used") && stderr.contains("its generator (AdvAE) cannot be used"), "{stderr}");
    assert!(!out.join("flowae-samples.png").exists(), "nothing drawn from a damaged decoder");

    let generator = damaged_pretrained("generator", "wgan.generator.", "running_var", -1.0);
    let result = flowae(&["sample", "--models", generator.to_str().unwrap(), "--data", data.to_str().unwrap(), "--samples", "16", "--out", out.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!result.status.success(), "{stderr}");
    assert!(stderr.contains("its generator (AdvAE) cannot be used") && !stderr.contains("its flow"), "{stderr}");
    assert!(out.join("flowae-samples.png").exists() && !out.join("advae-samples.png").exists(), "the good models' samples only");

    for damaged in [&absurd, &generator] {
        let to = out.join("compacted.bin");
        let result = flowae(&["compact", "--models", damaged.to_str().unwrap(), "--to", to.to_str().unwrap(), "--data", data.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(!result.status.success() && stderr.contains("nothing was written"), "{stderr}");
        assert!(!to.exists(), "no compacted copy of a damaged file");
    }
    // The shipped file itself compacts, and its copy loads.
    let to = out.join("compacted.bin");
    let pretrained = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/models/pretrained.bin");
    let result = flowae(&["compact", "--models", pretrained.to_str().unwrap(), "--to", to.to_str().unwrap(), "--data", data.to_str().unwrap()]);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    assert!(flowae::weights::WeightsFile::from_bytes(&std::fs::read(&to).unwrap()).is_ok());
    for path in [absurd, generator] {
        std::fs::remove_file(path).ok();
    }
    std::fs::remove_dir_all(out).ok();
}

/// Issue 26: `table --seeds N` checked only the first run's folder, so the last run could fail
/// to write after hours of training. Every run's folder is checked first.
#[test]
fn every_seeds_folder_is_checked_before_training() {
    let data = common::mnist_dir();
    let out = std::env::temp_dir().join(format!("flowae-seeds-{}", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("seed-3"), b"a file where the third run's folder goes").unwrap();
    let result = flowae(&[
        "table", "--data", data.to_str().unwrap(), "--epochs", "1", "--train-images", "200", "--test-images", "50",
        "--seeds", "3", "--seed", "1", "--out", out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = (String::from_utf8_lossy(&result.stdout), String::from_utf8_lossy(&result.stderr));
    assert!(!result.status.success(), "{stdout}");
    assert!(stderr.contains("seed-3"), "{stderr}");
    assert!(!stdout.contains("training the autoencoder"), "refused only after training:\n{stdout}");
    std::fs::remove_dir_all(out).ok();
}

/// `--data fashion` trains on Fashion-MNIST as build.sh installs it (www/data/); the models
/// file says so, `sample` reads it with Fashion-MNIST unasked, and refuses MNIST's images and
/// MNIST's classifier for it, in words. An unknown set is named.
#[test]
fn fashion_mnist_is_one_flag_and_its_models_remember_it() {
    let out = std::env::temp_dir().join(format!("flowae-cli-fashion-{}", std::process::id()));
    let models = out.join("fashion.bin");
    let (dir, file) = (out.to_str().unwrap(), models.to_str().unwrap());
    let small = ["--epochs", "1", "--train-images", "300", "--test-images", "100", "--batch-size", "50", "--flow-epochs", "1"];
    let trained = flowae(&[&["train-flow", "--data", "fashion", "--out", dir, "--models", file, "--samples", "16"], &small[..]].concat());
    let said = String::from_utf8_lossy(&trained.stdout);
    assert!(trained.status.success(), "{said}\n{}", String::from_utf8_lossy(&trained.stderr));
    let meta = flowae::weights::WeightsFile::from_bytes(&std::fs::read(&models).unwrap()).unwrap().meta;
    assert_eq!(meta["data"], "fashion");
    let sampled = flowae(&["sample", "--models", file, "--samples", "16", "--out", dir]);
    assert!(sampled.status.success(), "{}", String::from_utf8_lossy(&sampled.stderr));
    let refused = flowae(&["sample", "--models", file, "--data", "mnist", "--out", dir]);
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && why.contains("learned Fashion-MNIST"), "{why}");
    let table = flowae(&["table", "--data", "fashion", "--classifier", "www/models/classifier.bin", "--out", dir]);
    let why = String::from_utf8_lossy(&table.stderr);
    assert!(!table.status.success() && why.contains("learned MNIST") && why.contains("Fashion-MNIST"), "{why}");
    let unknown = flowae(&["train-ae", "--data", "cifar", "--out", dir]);
    let why = String::from_utf8_lossy(&unknown.stderr);
    assert!(!unknown.status.success() && why.contains("\"mnist\", \"fashion\"") && why.contains("cifar"), "{why}");
    std::fs::remove_dir_all(out).ok();
}
