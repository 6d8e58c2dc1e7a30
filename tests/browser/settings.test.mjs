// What a run length decides (www/settings.js's atLength, on the library's table): Compare all's
// settings at the full length, and the embed's quick run. No browser: the module's functions
// that do not touch the forms run as they are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PAGE_LENGTH, atLength } from '../../www/settings.js';
import { SETTINGS } from '../../www/pkg/tables.js';

/** `section`'s setting `name` under the default preset at `length`. */
const value = (section, name, length) => SETTINGS.find((s) => s.section === section && s.name === name).defaults.tuned[length];

test('a baseline at a run length takes the autoencoder\'s digits and its own epochs, and keeps its own other settings', () => {
  // The AAE as its section starts it at the quick length, with a learning rate of its own.
  const aae = { train_images: 20000, test_images: 2000, epochs: 3, batch_size: 100, learning_rate: 0.0003, latent_noise: 0.2 };
  const full = atLength(aae, 'full', ['autoencoder', 'aae']);
  assert.deepEqual(full, { ...aae, train_images: value('autoencoder', 'train_images', 'full'),
    test_images: value('autoencoder', 'test_images', 'full'), epochs: value('aae', 'epochs', 'full') });
  assert.notEqual(full.epochs, value('autoencoder', 'epochs', 'full'), 'the AAE\'s epochs, not the autoencoder\'s');
  assert.deepEqual(aae.train_images, 20000, 'the config given is not changed');
});

test('the page\'s run length gives the embed its quick run: only the digits and epochs, the rest left to the defaults', () => {
  assert.equal(PAGE_LENGTH, 'quick');
  assert.deepEqual(atLength({}, PAGE_LENGTH, ['autoencoder']), {
    train_images: value('autoencoder', 'train_images', 'quick'), test_images: value('autoencoder', 'test_images', 'quick'),
    epochs: value('autoencoder', 'epochs', 'quick') });
  assert.deepEqual(atLength({}, PAGE_LENGTH, ['flow']), { epochs: value('flow', 'epochs', 'quick') });
  assert.deepEqual(atLength({ layers: 3 }, 'full', ['flow']), { layers: 3, epochs: value('flow', 'epochs', 'full') });
});
