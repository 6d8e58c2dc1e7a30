//! The data sets the models learn, each named once: MNIST, the paper's, Fashion-MNIST, and a
//! visitor's own images.
//!
//! A data set is data, not a branch: its name (the link's `data=fashion`, the command line's
//! `--data fashion`, what a models file and a classifier file record), its title, the word for
//! its images, its ten classes, the files the page fetches (the binarized, packed sets every
//! visit needs, the grayscale IDX files only when a model asks for grayscale), its FCD
//! classifier and its pretrained models are written here and nowhere else. The page has them
//! through www/pkg/tables.js; `build.sh` writes the files (see its `prepare_data`). A third
//! data set is one more variant and its files. A visitor's own images are a set whose files
//! come from the visitor (the page reads them, [`crate::digitize::picture`] makes each an
//! input, [`crate::data::own_images`] holds one in six out): no files, no classifier of its own.

use serde_json::{Value, json};

use crate::error::{Error, Result};

enum_with_all! {
    #[doc = "Every data set, the default first."]
    /// A set of 28×28 grey images in ten classes, split into 60,000 for training and 10,000 for
    /// testing, that every model of the page learns the same way.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub enum DataSet {
        /// LeCun, Cortes and Burges's handwritten digits: the paper's data set.
        #[default]
        Mnist,
        /// Zalando's clothes, shoes and bags (Xiao, Rasul & Vollgraf 2017): MNIST's shape and
        /// size, harder to learn and to score.
        Fashion,
        /// The visitor's own pictures, read in the page (never sent anywhere) and made 28×28 the
        /// MNIST way; labelled by their folders' names, when they have some.
        Own,
    }
}

impl DataSet {
    /// The one name: in links, on the command line and in files.
    pub const fn name(self) -> &'static str {
        match self {
            DataSet::Mnist => "mnist",
            DataSet::Fashion => "fashion",
            DataSet::Own => "own",
        }
    }

    /// Its title, for people.
    pub const fn title(self) -> &'static str {
        match self {
            DataSet::Mnist => "MNIST",
            DataSet::Fashion => "Fashion-MNIST",
            DataSet::Own => "your own images",
        }
    }

    /// The word for its images in the plural, for sentences ("60,000 training digits").
    pub const fn items(self) -> &'static str {
        match self {
            DataSet::Mnist => "digits",
            DataSet::Fashion => "clothes",
            DataSet::Own => "images",
        }
    }

    /// Its classes, by label (0–9). A visitor's images are named by their folders, which the
    /// page knows; here they are numbered.
    pub const fn classes(self) -> [&'static str; 10] {
        match self {
            DataSet::Mnist | DataSet::Own => ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
            DataSet::Fashion => ["T-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"],
        }
    }

    /// What its files' names start with under www/data/ (MNIST's grayscale files keep the
    /// names they had before there was a second set).
    const fn prefix(self) -> &'static str {
        match self {
            DataSet::Mnist => "",
            DataSet::Fashion => "fashion-",
            DataSet::Own => "own-",
        }
    }

    /// Whether its images are files the site ships (build.sh installs them), rather than the
    /// visitor's.
    pub const fn shipped(self) -> bool {
        !matches!(self, DataSet::Own)
    }

    /// The binarized, packed training and test sets (`tools/pack-mnist.mjs`), under www/: what
    /// the page downloads first. None for the visitor's own images.
    pub fn packed(self) -> Option<[String; 2]> {
        self.shipped().then(|| ["train", "test"].map(|part| format!("data/{}-{part}.bits.gz", self.name())))
    }

    /// The four grayscale IDX files, gzipped, under www/: training images and labels, test
    /// images and labels. The page fetches them only when a model asks for grayscale; the
    /// command line reads them (`--data NAME`). None for the visitor's own images (the page
    /// holds them in grayscale from the start).
    pub fn idx(self) -> Option<[String; 4]> {
        self.shipped().then(|| {
            ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
                .map(|file| format!("data/{}{file}.gz", self.prefix()))
        })
    }

    /// The data set whose classifier scores these images for the FCD: its own, or for the
    /// visitor's images MNIST's. FID scores any pictures with the features of one network
    /// trained on ImageNet; the FCD of your own images is a distance in the features of
    /// MNIST's classifier the same way (comparable between models on the same images, not with
    /// the paper's figures). Its readings are no names for your images, so the page does not
    /// caption their samples with them.
    pub const fn scorer(self) -> DataSet {
        match self {
            DataSet::Own => DataSet::Mnist,
            set => set,
        }
    }

    /// Refuses a classifier (its file's header, `meta`) that learned another set than the one
    /// that scores these images: its features would score them as foreign, and its FCD would
    /// mean nothing.
    pub fn check_classifier(self, meta: &Value) -> Result<()> {
        let learned = DataSet::of_meta(meta)?;
        if learned == self.scorer() {
            return Ok(());
        }
        Err(Error::Config(format!("the classifier learned {}, and the images are {}: its FCD would not mean anything", learned.title(), self.title())))
    }

    /// The FCD classifier's weights (`flowae train-classifier --data NAME`), under www/: the
    /// file of its [`DataSet::scorer`].
    pub const fn classifier(self) -> &'static str {
        match self.scorer() {
            DataSet::Fashion => "models/classifier-fashion.bin",
            _ => "models/classifier.bin",
        }
    }

    /// How many images one epoch stands for when the set has fewer: a run on a small set of
    /// the visitor's passes over it that many times more per epoch (the quick run's
    /// autoencoder sees 20,000 images an epoch), so that a few hundred images train as long as
    /// MNIST does, not for a few steps. None for the shipped sets, whose epochs are theirs.
    pub fn epoch_images(self) -> Option<usize> {
        (!self.shipped()).then(|| crate::length::Length::Quick.value_of(crate::kind::Kind::Autoencoder, "train_images").unwrap_or(20_000) as usize)
    }

    /// The models trained in advance that the page opens with, under www/, where there are any.
    pub const fn pretrained(self) -> Option<&'static str> {
        match self {
            DataSet::Mnist => Some("models/pretrained.bin"),
            DataSet::Fashion | DataSet::Own => None,
        }
    }

    /// The data set of this name.
    pub fn parse(name: &str) -> Result<DataSet> {
        DataSet::ALL
            .into_iter()
            .find(|set| set.name() == name)
            .ok_or_else(|| Error::Config(format!("the data set must be one of {}, not {name:?}", DataSet::names())))
    }

    /// Every name, quoted, for a message: `"mnist", "fashion"`.
    pub fn names() -> String {
        DataSet::ALL.iter().map(|s| format!("\"{}\"", s.name())).collect::<Vec<_>>().join(", ")
    }

    /// The data set a file's header names under `"data"`; MNIST where it names none (every file
    /// written before there was a second data set).
    pub fn of_meta(meta: &Value) -> Result<DataSet> {
        match meta.get("data") {
            None | Some(Value::Null) => Ok(DataSet::Mnist),
            Some(Value::String(name)) => DataSet::parse(name).map_err(|e| Error::Data(format!("the file's data set: {e}"))),
            Some(other) => Err(Error::Data(format!("the file's data set is {other}, not a name"))),
        }
    }

    /// Every data set as the page reads it (www/pkg/tables.js), the default first.
    pub fn described() -> Value {
        Value::Array(
            DataSet::ALL
                .iter()
                .map(|set| {
                    json!({
                        "name": set.name(), "title": set.title(), "items": set.items(), "classes": set.classes(),
                        "packed": set.packed(), "idx": set.idx(), "classifier": set.classifier(), "pretrained": set.pretrained(),
                        "scorer": set.scorer().name(),
                        "images": (!set.shipped()).then(|| [*crate::limits::OWN_IMAGES.start(), *crate::limits::OWN_IMAGES.end()]),
                    })
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_files_differ() {
        for set in DataSet::ALL {
            assert_eq!(DataSet::parse(set.name()).unwrap(), set);
        }
        let err = DataSet::parse("cifar").unwrap_err().to_string();
        assert!(err.contains("\"mnist\", \"fashion\", \"own\"") && err.contains("\"cifar\""), "{err}");
        // No two sets share a file, but for a classifier that scores another set's images.
        let mut files: Vec<String> = DataSet::ALL
            .iter()
            .flat_map(|s| [s.packed().map(Vec::from), s.idx().map(Vec::from), (s.scorer() == *s).then(|| vec![s.classifier().into()])])
            .flatten()
            .flatten()
            .collect();
        let count = files.len();
        files.sort();
        files.dedup();
        assert_eq!(files.len(), count);
    }

    #[test]
    fn a_file_without_a_data_set_is_mnist() {
        assert_eq!(DataSet::of_meta(&json!({"autoencoder": {}})).unwrap(), DataSet::Mnist);
        assert_eq!(DataSet::of_meta(&json!({"data": "fashion"})).unwrap(), DataSet::Fashion);
        assert!(DataSet::of_meta(&json!({"data": "cifar"})).is_err());
        assert!(DataSet::of_meta(&json!({"data": 3})).is_err());
    }

    #[test]
    fn own_images_ship_nothing_and_are_scored_by_mnists_classifier() {
        for set in DataSet::ALL {
            assert_eq!(set.packed().is_some(), set.shipped());
            assert_eq!(set.idx().is_some(), set.shipped());
            assert_eq!(set.epoch_images().is_none(), set.shipped());
            assert_eq!(set.classifier(), set.scorer().classifier());
        }
        assert_eq!(DataSet::Own.scorer(), DataSet::Mnist);
        assert_eq!(DataSet::Own.epoch_images(), Some(20_000));
        assert_eq!(DataSet::Own.pretrained(), None);
        let mnist = json!({"data": "mnist"});
        assert!(DataSet::Own.check_classifier(&mnist).is_ok() && DataSet::Mnist.check_classifier(&json!({})).is_ok());
        let err = DataSet::Fashion.check_classifier(&mnist).unwrap_err().to_string();
        assert!(err.contains("learned MNIST, and the images are Fashion-MNIST"), "{err}");
    }
}
