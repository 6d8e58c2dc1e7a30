//! The paper's Table 1 over several seeds: each model's FCD per run, their mean and spread, and
//! how many runs keep the paper's order.
//!
//! One training run is one draw: a GAN's quality in particular moves from seed to seed, so a
//! single table can put two models in either order. The order that counts is the paper's own
//! (FlowAE < AdvAE ≤ AAE < VAE), read from [`Kind::paper_fcd`], not written here again.

use crate::{DataSet, Kind};

/// One run's scores: the seed it was trained with, the FCD of real training digits (the
/// floor) and each model's FCD.
#[derive(Clone, Debug, PartialEq)]
pub struct Scores {
    pub seed: u64,
    pub real: f64,
    pub models: Vec<(Kind, f64)>,
    /// The FCD of the autoencoder's reconstructions of training digits: what FlowAE and AdvAE
    /// would score if they drew the codes exactly (their floor); `None` when neither ran.
    pub decoded: Option<f64>,
    /// How many samples (and test and training digits) each FCD compared.
    pub samples: usize,
    /// How long the run took, training and scoring.
    pub seconds: f64,
}

impl Scores {
    /// The FCD of `kind` in this run.
    pub fn of(&self, kind: Kind) -> Option<f64> {
        self.models.iter().find(|(k, _)| *k == kind).map(|&(_, v)| v)
    }

    /// Whether this run ranks its models as the paper's Table 1 does; `None` when it scored
    /// fewer than two of the paper's models.
    pub fn keeps_paper_order(&self) -> Option<bool> {
        let mut ranked: Vec<(Kind, f64, f64)> =
            self.models.iter().filter_map(|&(kind, fcd)| kind.paper_fcd().map(|paper| (kind, fcd, paper))).collect();
        if ranked.len() < 2 {
            return None;
        }
        ranked.sort_by(|a, b| a.2.total_cmp(&b.2));
        Some(ranked.windows(2).all(|pair| pair[0].1 < pair[1].1))
    }
}

/// The mean and the sample standard deviation (0 for a single value).
pub fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    if values.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = values.iter().sum::<f64>() / n;
    let sd = if values.len() < 2 { 0.0 } else { (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt() };
    (mean, sd)
}

/// The models the runs scored, in Table 1's order (the paper's FCD, best first), then any
/// without a paper figure.
fn models(runs: &[Scores]) -> Vec<Kind> {
    let mut kinds: Vec<Kind> = Vec::new();
    for run in runs {
        for &(kind, _) in &run.models {
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }
    kinds.sort_by(|a, b| a.paper_fcd().unwrap_or(f64::INFINITY).total_cmp(&b.paper_fcd().unwrap_or(f64::INFINITY)));
    kinds
}

/// Table 1 as Markdown: a row per model with its FCD in each run, mean ± sd and the paper's
/// figure (on MNIST: the paper reports no other data set); then each run's ratios to the VAE
/// and whether it keeps the paper's order.
pub fn markdown(runs: &[Scores], data: DataSet) -> String {
    let seeds: Vec<String> = runs.iter().map(|r| format!("seed {}", r.seed)).collect();
    let mut text = format!("| Model | {} | mean ± sd | paper |\n|---|{}---:|---:|\n", seeds.join(" | "), "---:|".repeat(runs.len()));
    let row = |label: &str, values: Vec<Option<f64>>, paper: Option<f64>| {
        let present: Vec<f64> = values.iter().flatten().copied().collect();
        let cells: Vec<String> = values.iter().map(|v| v.map_or("–".into(), |v| format!("{v:.2}"))).collect();
        let (mean, sd) = mean_sd(&present);
        let paper = paper.filter(|_| data == DataSet::Mnist).map_or(String::new(), |p| p.to_string());
        format!("| {label} | {} | {mean:.2} ± {sd:.2} | {paper} |\n", cells.join(" | "))
    };
    text.push_str(&row("Real data", runs.iter().map(|r| Some(r.real)).collect(), Some(Kind::PAPER_REAL_DATA_FCD)));
    for kind in models(runs) {
        text.push_str(&row(kind.label(), runs.iter().map(|r| r.of(kind)).collect(), kind.paper_fcd()));
    }
    if runs.iter().any(|r| r.decoded.is_some()) {
        text.push_str(&row("Decoded training codes (floor of FlowAE, AdvAE)", runs.iter().map(|r| r.decoded).collect(), None));
    }
    let ratio = |kind: Kind| -> Vec<Option<f64>> {
        runs.iter().map(|r| Some(r.of(kind)? / r.of(Kind::Vae)?)).collect()
    };
    for kind in [Kind::Flow, Kind::Wgan, Kind::Aae] {
        let values = ratio(kind);
        if values.iter().any(Option::is_some) {
            let paper = kind.paper_fcd().zip(Kind::Vae.paper_fcd()).map(|(a, b)| (a / b * 100.0).round() / 100.0);
            text.push_str(&row(&format!("{} / VAE", kind.label()), values, paper));
        }
    }
    let orders: Vec<bool> = runs.iter().filter_map(Scores::keeps_paper_order).collect();
    if !orders.is_empty() {
        let kept = orders.iter().filter(|&&k| k).count();
        let order: Vec<&str> = models(runs).into_iter().filter(|k| k.paper_fcd().is_some()).map(Kind::label).collect();
        text.push_str(&format!("\nThe paper's order ({}) held in {kept} of {} runs.\n", order.join(" < "), orders.len()));
    }
    let times: Vec<String> = runs.iter().map(|r| format!("{:.0} s", r.seconds)).collect();
    let samples = runs.iter().map(|r| r.samples).min().unwrap_or(0);
    let (items, title) = (data.items(), data.title());
    text.push_str(&format!(
        "\n{samples} samples per model against the first {samples} test {items} of {title}; real data: the first \
         {samples} training {items}. All images binarized (p ≥ 0.5) before the classifier. Wall time per run: {}.\n",
        times.join(", ")
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(seed: u64, flow: f64, wgan: f64, aae: f64, vae: f64) -> Scores {
        Scores { seed, real: 1.0, models: vec![(Kind::Flow, flow), (Kind::Wgan, wgan), (Kind::Vae, vae), (Kind::Aae, aae)], decoded: None, samples: 1000, seconds: 60.0 }
    }

    #[test]
    fn the_order_is_the_papers_and_any_swap_breaks_it() {
        assert_eq!(run(1, 10.0, 20.0, 30.0, 40.0).keeps_paper_order(), Some(true));
        assert_eq!(run(1, 20.0, 10.0, 30.0, 40.0).keeps_paper_order(), Some(false));
        assert_eq!(run(1, 10.0, 30.0, 20.0, 40.0).keeps_paper_order(), Some(false));
        assert_eq!(run(1, 10.0, 20.0, 50.0, 40.0).keeps_paper_order(), Some(false));
        let one = Scores { models: vec![(Kind::Flow, 1.0)], ..run(1, 0.0, 0.0, 0.0, 0.0) };
        assert_eq!(one.keeps_paper_order(), None);
    }

    #[test]
    fn mean_and_sample_standard_deviation() {
        let (mean, sd) = mean_sd(&[2.0, 4.0, 6.0]);
        assert_eq!(mean, 4.0);
        assert!((sd - 2.0).abs() < 1e-12);
        assert_eq!(mean_sd(&[5.0]), (5.0, 0.0));
    }

    #[test]
    fn the_table_shows_every_run_the_spread_and_the_orders_kept() {
        let second = Scores { decoded: Some(8.0), ..run(2, 12.0, 35.0, 30.0, 40.0) };
        let text = markdown(&[run(1, 10.0, 20.0, 30.0, 40.0), second.clone()], DataSet::Mnist);
        assert!(text.contains("| Decoded training codes (floor of FlowAE, AdvAE) | – | 8.00 | 8.00 ± 0.00 |  |"), "{text}");
        assert!(text.contains("| FlowAE | 10.00 | 12.00 | 11.00 ± 1.41 | 4.65 |"), "{text}");
        assert!(text.contains("| FlowAE / VAE | 0.25 | 0.30 | 0.28 ± 0.04 | 0.57 |"), "{text}");
        assert!(text.contains("(FlowAE < AdvAE < AAE < VAE) held in 1 of 2 runs"), "{text}");
        let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("| ")).map(|l| l.split(" |").next().unwrap()).collect();
        assert_eq!(rows, ["| Model", "| Real data", "| FlowAE", "| AdvAE", "| AAE", "| VAE", "| Decoded training codes (floor of FlowAE, AdvAE)", "| FlowAE / VAE", "| AdvAE / VAE", "| AAE / VAE"]);
        // The paper's figures are MNIST's: on Fashion-MNIST its column stays empty.
        let fashion = markdown(&[run(1, 10.0, 20.0, 30.0, 40.0), second], DataSet::Fashion);
        assert!(fashion.contains("| FlowAE | 10.00 | 12.00 | 11.00 ± 1.41 |  |") && fashion.contains("test clothes of Fashion-MNIST"), "{fashion}");
    }
}
