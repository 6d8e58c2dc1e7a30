//! The native tool, end to end on a subset.

mod common;

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
    let cases: [(&[&str], &str); 5] = [
        (&["train-ae", "--epochs", "zero"], "--epochs must be a number"),
        (&["train-ae", "--epochs", "0", "--data", data.to_str().unwrap()], "epochs must be between"),
        (&["train-ae", "--data", "/nonexistent"], "cannot read /nonexistent"),
        (&["train-ae", "--backend", "tpu"], "backend must be"),
        (&["dance"], "expected a command"),
    ];
    for (args, expected) in cases {
        let result = flowae(args);
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(!result.status.success(), "{args:?} should fail");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
