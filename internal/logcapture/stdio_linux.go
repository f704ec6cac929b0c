package logcapture

import "syscall"

func pipeCloexec() (r, w int, err error) {
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		return -1, -1, err
	}
	return p[0], p[1], nil
}

// dup2 uses dup3: some Linux ports (arm64, riscv64) have no dup2. Flags 0
// leaves the new fd 1 or 2 inheritable, as it was.
func dup2(oldfd, newfd int) error { return syscall.Dup3(oldfd, newfd, 0) }
