package template

func bufferedSend(pr *problem) []*fix                      { return nil }
func deferUnlock(pr *problem) []*fix                       { return nil }
func javaLockOrder(pr *problem) []*fix                     { return nil }
func (pr *problem) javaMethodSpan(s site) (funcSpan, bool) { return funcSpan{}, false }
