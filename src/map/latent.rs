//! A map of the latent space: encoded test digits, coloured by label, with codes that the
//! generative models made laid over them, so one can see whether the flow's and the WGAN's
//! codes land on the digits' clusters (and where N(0, I) lands for a plain autoencoder).

use super::{neighbour_agreement, Pca, Tsne, TsneConfig};
use crate::{Error, Kind, Result, limits};

/// What a map shows and how it is made.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LatentMapConfig {
    /// Whose codes: the autoencoder under FlowAE and AdvAE, or a baseline.
    pub source: Kind,
    /// How many test digits to encode and draw.
    pub digits: usize,
    /// How many codes each generative model adds.
    pub overlay: usize,
    /// t-SNE's perplexity (the paper's Figure 7 used 70).
    pub perplexity: f64,
    /// t-SNE's iterations.
    pub iterations: usize,
    /// Seed for the generated codes.
    pub seed: u64,
}

impl Default for LatentMapConfig {
    fn default() -> Self {
        LatentMapConfig { source: Kind::Autoencoder, digits: 2000, overlay: 200, perplexity: 30.0, iterations: 1000, seed: 1 }
    }
}

impl LatentMapConfig {
    /// Refuses what cannot be mapped in a page: too few or too many points.
    pub fn validate(&self) -> Result<()> {
        if !self.source.has_encoder() {
            return Err(Error::Config(format!("the map's source must be the autoencoder, vae or aae (got {})", self.source)));
        }
        limits::check("digits to map", self.digits, &limits::MAP_DIGITS)?;
        limits::check("generated codes per model", self.overlay, &limits::MAP_OVERLAY)?;
        limits::check("perplexity", self.perplexity, &limits::PERPLEXITY)?;
        self.tsne().validate(self.digits)
    }

    /// The t-SNE settings.
    pub fn tsne(&self) -> TsneConfig {
        TsneConfig { perplexity: self.perplexity, iterations: self.iterations, ..TsneConfig::default() }
    }
}

/// One set of generated codes on the map: `count` points from `start`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Overlay {
    /// Which model made them ("flow", "wgan", "prior").
    pub name: String,
    /// Index of its first point (after the labelled digits and earlier overlays).
    pub start: usize,
    /// How many points.
    pub count: usize,
}

/// Labelled codes and overlays, their PCA preview and a t-SNE run over all of them together
/// (t-SNE places only the points it is given, so generated codes must be in the run).
pub struct LatentMap {
    dim: usize,
    /// Every code on the map: the digits', then the overlays'.
    points: Vec<f32>,
    pca: Pca,
    labels: Vec<u8>,
    overlays: Vec<Overlay>,
    preview: Vec<f32>,
    code_agreement: f64,
    tsne: Tsne,
}

/// Digits whose t-SNE positions place a new code (see [`LatentMap::place`]).
pub const PLACE_K: usize = 5;

/// Neighbours consulted by the agreement score.
const AGREEMENT_K: usize = 10;

impl LatentMap {
    /// A map of `codes` (`dim` floats each, one per label) with each named set of generated
    /// codes laid over them.
    pub fn new(codes: &[f32], labels: Vec<u8>, dim: usize, overlays: Vec<(String, Vec<f32>)>, config: TsneConfig) -> Result<LatentMap> {
        if codes.len() != labels.len() * dim {
            return Err(Error::Data(format!("{} code values do not fit {} codes of {dim}", codes.len(), labels.len())));
        }
        let pca = Pca::fit(codes, dim)?;
        let mut points = codes.to_vec();
        let mut placed = Vec::new();
        for (name, generated) in overlays {
            if generated.len() % dim != 0 || generated.iter().any(|v| !v.is_finite()) {
                return Err(Error::NonFinite(format!("the {name} codes are not whole finite vectors of {dim}")));
            }
            placed.push(Overlay { name, start: points.len() / dim, count: generated.len() / dim });
            points.extend(generated);
        }
        let preview = pca.project(&points)?;
        let code_agreement = neighbour_agreement(codes, dim, &labels, AGREEMENT_K)?;
        let tsne = Tsne::new(&points, dim, config)?;
        Ok(LatentMap { dim, points, pca, labels, overlays: placed, preview, code_agreement, tsne })
    }

    /// The digits' labels; the first `labels().len()` points of a map are those digits.
    pub fn labels(&self) -> &[u8] {
        &self.labels
    }

    /// The generated codes after the digits.
    pub fn overlays(&self) -> &[Overlay] {
        &self.overlays
    }

    /// Every point on the PCA plane of the digits' codes (x, y interleaved).
    pub fn preview(&self) -> &[f32] {
        &self.preview
    }

    /// How often a digit's nearest codes share its label, in the latent space itself: what a
    /// perfect map would keep.
    pub fn code_agreement(&self) -> f64 {
        self.code_agreement
    }

    /// The t-SNE run.
    pub fn tsne(&self) -> &Tsne {
        &self.tsne
    }

    /// Runs up to `iterations` more t-SNE iterations; returns whether the map is done.
    pub fn run(&mut self, iterations: usize) -> Result<bool> {
        self.tsne.run(iterations)
    }

    /// The code behind a spot (`x`, `y`) of the map: on the PCA plane, the code at that spot of
    /// the plane (so one can click between clusters and see what lives there); on the t-SNE map,
    /// which has no inverse, the code of the nearest point. Returns the code and, for t-SNE,
    /// the index of that point.
    pub fn code_at(&self, x: f32, y: f32, tsne: bool) -> Result<(Vec<f32>, Option<usize>)> {
        if !(x.is_finite() && y.is_finite()) {
            return Err(Error::Config("the map position must be finite".into()));
        }
        if !tsne {
            return Ok((self.pca.unproject(x, y), None));
        }
        let map = self.tsne.embedding();
        let nearest = map
            .chunks_exact(2)
            .enumerate()
            .min_by(|(_, a), (_, b)| {
                let d = |p: &[f32]| (p[0] - x).powi(2) + (p[1] - y).powi(2);
                d(a).total_cmp(&d(b))
            })
            .map(|(i, _)| i)
            .ok_or_else(|| Error::State("the map is empty".into()))?;
        Ok((self.points[nearest * self.dim..(nearest + 1) * self.dim].to_vec(), Some(nearest)))
    }

    /// Where a new code (a drawn digit's) sits on the map: on the PCA plane, its projection; on
    /// the t-SNE map, which places only the points it was run on, the mean position of the
    /// [`PLACE_K`] digits whose codes are nearest it (the usual stand-in, said so on the page).
    /// Returns `(pca x, pca y, t-SNE x, t-SNE y)`.
    pub fn place(&self, code: &[f32]) -> Result<[f32; 4]> {
        if code.len() != self.dim || code.iter().any(|v| !v.is_finite()) {
            return Err(Error::Data(format!("a code on this map is {} finite values", self.dim)));
        }
        let pca = self.pca.project(code)?;
        let nearest = super::nearest_to(&self.points[..self.labels.len() * self.dim], self.dim, code, PLACE_K);
        let k = nearest.len();
        if k == 0 {
            return Err(Error::State("the map is empty".into()));
        }
        let map = self.tsne.embedding();
        let (x, y) = nearest.iter().fold((0.0, 0.0), |(x, y), &i| (x + map[2 * i], y + map[2 * i + 1]));
        Ok([pca[0], pca[1], x / k as f32, y / k as f32])
    }

    /// How often a digit's nearest neighbours on the t-SNE map share its label.
    pub fn map_agreement(&self) -> Result<f64> {
        let embedding = self.tsne.embedding();
        neighbour_agreement(&embedding[..2 * self.labels.len()], 2, &self.labels, AGREEMENT_K)
    }
}
