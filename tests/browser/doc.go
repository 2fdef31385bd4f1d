// Package browser holds the browser tests of the inspectors' page
// (/inspect/): Chromium, driven over the DevTools protocol, against a
// seeded server on a loopback port.
package browser
