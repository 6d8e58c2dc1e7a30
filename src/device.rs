//! Moving numbers between the host and the device: tensors read back (asynchronously, the only
//! way WebGPU in wasm allows, and in one transaction where there are several) and host values
//! uploaded as rows. Used by training, sampling, the FCD and the weights file alike. And the
//! one sweep of burn's autodiff graph that training does not do by itself.

use burn::prelude::*;
use burn::tensor::{TensorData, Transaction};

use crate::error::{Error, Result};

/// Reads tensors back in one transaction, as flat f32 vectors, mapping any device failure to an
/// [`Error::Device`] instead of a panic.
pub async fn read_all(tensors: Vec<Tensor<1>>) -> Result<Vec<Vec<f32>>> {
    if tensors.is_empty() {
        return Ok(Vec::new());
    }
    let transaction = tensors.into_iter().fold(Transaction::default(), |t, x| t.register(x));
    let data = transaction
        .execute_async()
        .await
        .map_err(|e| Error::Device(format!("reading results back from the device failed: {e:?}")))?;
    data.into_iter()
        .map(|d| {
            d.convert::<f32>()
                .try_into_vec::<f32>()
                .map_err(|e| Error::Device(format!("unexpected data from the device: {e:?}")))
        })
        .collect()
}

/// Reads one tensor back as a flat f32 vector.
pub async fn read(tensor: Tensor<2>) -> Result<Vec<f32>> {
    let flat = tensor.flatten::<1>(0, 1);
    Ok(read_all(vec![flat]).await?.pop().unwrap_or_default())
}

/// `values` as rows of `k` on `device`; refused, with `what` naming them, unless they are
/// whole, finite vectors of `k`.
pub(crate) fn rows(values: Vec<f32>, k: usize, what: &str, device: &Device) -> Result<Tensor<2>> {
    if values.is_empty() || k == 0 || values.len() % k != 0 || values.iter().any(|v| !v.is_finite()) {
        return Err(Error::Config(format!("{what} must be whole, finite vectors of {k}")));
    }
    let count = values.len() / k;
    Ok(Tensor::from_data(TensorData::new(values, [count, k]), device))
}

/// Frees what burn's autodiff graph still holds for tracked tensors that have been dropped (the
/// parameters of a model restored from a file, or of one replaced). burn sweeps those orphans
/// only while a backward pass runs, any backward pass, so models loaded again and again without
/// training kept every copy: about 320 kB for each small models file, until the mutation
/// fuzzer, loading a million, ran out of memory. A backward pass over one number is the sweep.
pub fn release_graph(device: &Device) {
    let one = Tensor::<1>::from_floats([0.0], &device.clone().autodiff()).require_grad();
    let _ = one.sum().backward();
}
