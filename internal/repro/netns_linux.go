package repro

import (
	"encoding/binary"
	"os"
	"syscall"
	"unsafe"
)

// loopbackUp sets IFF_UP on "lo" of the current network namespace (a new
// namespace starts with it down), as `ip link set lo up` does.
func loopbackUp() error {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	var ifr [40]byte // struct ifreq: 16-byte name, then a union (flags: short)
	copy(ifr[:], "lo")
	if err := ioctl(fd, syscall.SIOCGIFFLAGS, &ifr); err != nil {
		return err
	}
	flags := binary.NativeEndian.Uint16(ifr[16:]) | syscall.IFF_UP | syscall.IFF_RUNNING
	binary.NativeEndian.PutUint16(ifr[16:], flags)
	return ioctl(fd, syscall.SIOCSIFFLAGS, &ifr)
}

func ioctl(fd int, req uintptr, ifr *[40]byte) error {
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), req, uintptr(unsafe.Pointer(&ifr[0]))); e != 0 {
		return e
	}
	return nil
}

// isolation is one way of starting the helper in a namespace without
// outbound network.
type isolation struct {
	name string
	attr func() *syscall.SysProcAttr
}

// isolations are tried in order: an unprivileged user+net namespace
// (what `unshare --user --map-root-user --net` makes), then a bare net
// namespace, which needs CAP_SYS_ADMIN.
var isolations = []isolation{
	{"user+net namespace", func() *syscall.SysProcAttr {
		return &syscall.SysProcAttr{
			Setpgid:                    true,
			Cloneflags:                 syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET,
			UidMappings:                []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
			GidMappings:                []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
			GidMappingsEnableSetgroups: false,
		}
	}},
	{"net namespace", func() *syscall.SysProcAttr {
		return &syscall.SysProcAttr{Setpgid: true, Cloneflags: syscall.CLONE_NEWNET}
	}},
}
