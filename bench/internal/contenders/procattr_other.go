//go:build !linux

package contenders

import "syscall"

// childAttr has nothing to add outside Linux: children are stopped explicitly.
func childAttr() *syscall.SysProcAttr { return nil }
