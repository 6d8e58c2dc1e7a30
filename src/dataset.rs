//! The data sets the models learn, each named once: MNIST, the paper's, and Fashion-MNIST.
//!
//! A data set is data, not a branch: its name (the link's `data=fashion`, the command line's
//! `--data fashion`, what a models file and a classifier file record), its title, the word for
//! its images, its ten classes, the files the page fetches (the binarized, packed sets every
//! visit needs, the grayscale IDX files only when a model asks for grayscale), its FCD
//! classifier and its pretrained models are written here and nowhere else. The page has them
//! through www/pkg/tables.js; `build.sh` writes the files (see its `prepare_data`). A third
//! data set is one more variant and its files.

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
    }
}

impl DataSet {
    /// The one name: in links, on the command line and in files.
    pub const fn name(self) -> &'static str {
        match self {
            DataSet::Mnist => "mnist",
            DataSet::Fashion => "fashion",
        }
    }

    /// Its title, for people.
    pub const fn title(self) -> &'static str {
        match self {
            DataSet::Mnist => "MNIST",
            DataSet::Fashion => "Fashion-MNIST",
        }
    }

    /// The word for its images in the plural, for sentences ("60,000 training digits").
    pub const fn items(self) -> &'static str {
        match self {
            DataSet::Mnist => "digits",
            DataSet::Fashion => "clothes",
        }
    }

    /// Its classes, by label (0–9).
    pub const fn classes(self) -> [&'static str; 10] {
        match self {
            DataSet::Mnist => ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
            DataSet::Fashion => ["T-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"],
        }
    }

    /// What its files' names start with under www/data/ (MNIST's grayscale files keep the
    /// names they had before there was a second set).
    const fn prefix(self) -> &'static str {
        match self {
            DataSet::Mnist => "",
            DataSet::Fashion => "fashion-",
        }
    }

    /// The binarized, packed training and test sets (`tools/pack-mnist.mjs`), under www/: what
    /// the page downloads first.
    pub fn packed(self) -> [String; 2] {
        ["train", "test"].map(|part| format!("data/{}-{part}.bits.gz", self.name()))
    }

    /// The four grayscale IDX files, gzipped, under www/: training images and labels, test
    /// images and labels. The page fetches them only when a model asks for grayscale; the
    /// command line reads them (`--data NAME`).
    pub fn idx(self) -> [String; 4] {
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
            .map(|file| format!("data/{}{file}.gz", self.prefix()))
    }

    /// The FCD classifier's weights (`flowae train-classifier --data NAME`), under www/.
    pub const fn classifier(self) -> &'static str {
        match self {
            DataSet::Mnist => "models/classifier.bin",
            DataSet::Fashion => "models/classifier-fashion.bin",
        }
    }

    /// The models trained in advance that the page opens with, under www/, where there are any.
    pub const fn pretrained(self) -> Option<&'static str> {
        match self {
            DataSet::Mnist => Some("models/pretrained.bin"),
            DataSet::Fashion => None,
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
        assert!(err.contains("\"mnist\", \"fashion\"") && err.contains("\"cifar\""), "{err}");
        // No two sets share a file.
        let mut files: Vec<String> = DataSet::ALL.iter().flat_map(|s| [s.packed().to_vec(), s.idx().to_vec(), vec![s.classifier().into()]].concat()).collect();
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
}
