package engine

// Waiting counts the WaitFor calls of e that are waiting, and those it has
// woken.
func Waiting(e *Engine) (waiting int, woken int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.waiting), e.woken
}
