//! The two places a model can train: the GPU through WebGPU (wgpu natively), or the CPU.
//!
//! The same model and training code runs on both; only the [`Device`] differs. The GPU device
//! can be initialized only once per process (burn refuses a second registration), so it is
//! kept and handed out again.

use burn::prelude::*;

use crate::error::{Error, Result};

/// Which backend trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// burn's wgpu backend: WebGPU in a browser, Vulkan/Metal/DX12 natively.
    Gpu,
    /// burn's flex backend: pure Rust, SIMD, runs in WebAssembly too.
    Cpu,
}

impl Backend {
    /// Parses "gpu"/"webgpu"/"wgpu" or "cpu".
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "gpu" | "webgpu" | "wgpu" => Ok(Backend::Gpu),
            "cpu" | "flex" => Ok(Backend::Cpu),
            other => Err(Error::Config(format!("backend must be \"gpu\" or \"cpu\", not {other:?}"))),
        }
    }
}

/// The device for `backend`, initializing the GPU on first use.
///
/// Fails with [`Error::Device`] when no GPU adapter can be had (a browser without WebGPU, a
/// machine without a Vulkan driver, a build without the `gpu` feature): the caller can fall
/// back to [`Backend::Cpu`].
pub async fn device(backend: Backend) -> Result<Device> {
    match backend {
        Backend::Cpu => Ok(Device::flex()),
        Backend::Gpu => gpu::device().await,
    }
}

#[cfg(feature = "gpu")]
mod gpu {
    use std::sync::Mutex;

    use burn::prelude::*;

    use crate::error::{Error, Result};

    static GPU: Mutex<Option<Device>> = Mutex::new(None);

    pub async fn device() -> Result<Device> {
        if let Some(device) = GPU.lock().map_err(|_| poisoned())?.clone() {
            return Ok(device);
        }
        let device = Device::wgpu_options()
            .init_async()
            .await
            .map_err(|e| Error::Device(format!("no usable GPU adapter: {e}")))?;
        *GPU.lock().map_err(|_| poisoned())? = Some(device.clone());
        Ok(device)
    }

    fn poisoned() -> Error {
        Error::Device("the GPU device was lost after an earlier failure; reload the page".into())
    }
}

#[cfg(not(feature = "gpu"))]
mod gpu {
    use burn::prelude::*;

    use crate::error::{Error, Result};

    pub async fn device() -> Result<Device> {
        Err(Error::Device("this module was built for the CPU only (without the \"gpu\" feature)".into()))
    }
}
