package divisions

import (
	"runtime"
	"testing"
	"time"
)

// BenchmarkLoad decodes the embedded register, as Embedded does once.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := decode(registerBin); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkContains looks up a village code in the embedded register.
func BenchmarkContains(b *testing.B) {
	r := Embedded()
	for b.Loop() {
		if !r.Contains("370902101201") {
			b.Fatal("missing")
		}
	}
}

// BenchmarkName looks up a village's name in the embedded register.
func BenchmarkName(b *testing.B) {
	r := Embedded()
	for b.Loop() {
		if _, ok := r.Name("370902101201"); !ok {
			b.Fatal("missing")
		}
	}
}

// BenchmarkFullName builds a village's full name in the embedded register.
func BenchmarkFullName(b *testing.B) {
	r := Embedded()
	for b.Loop() {
		if _, ok := r.FullName("370902101201"); !ok {
			b.Fatal("missing")
		}
	}
}

// TestLoadCost logs how long decoding the embedded register takes and how
// much heap the register holds once loaded (run with -v to see them).
func TestLoadCost(t *testing.T) {
	if testing.Short() {
		t.Skip("measurement")
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	r, err := decode(registerBin)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("register.bin %d bytes; decoded %d divisions in %v; heap held %.1f MiB", len(registerBin), r.Len(), took, float64(heap)/(1<<20))
	runtime.KeepAlive(r)
	if heap > 40<<20 {
		t.Errorf("register holds %d bytes of heap, want under 40 MiB", heap)
	}
}
