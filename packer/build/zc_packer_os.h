/* zc_packer_os.h - the packer's OS layer: the POSIX calls the packer makes, on every
 * platform it builds for.
 *
 * The packer is written against POSIX (open with O_CLOEXEC and O_NOFOLLOW, lstat and
 * st_mtim, pread/pwrite, fsync, rename over an existing file, realpath, fnmatch,
 * getrandom, sysconf). On Linux this header only includes the system headers that
 * declare them, so the Linux build is the POSIX code as written.
 *
 * For Windows (mingw-w64, the zcpack.exe of tools/mingw_zcpack.sh) it includes
 * packer/win32/zc_packer_os_win32.h, which gives the same names Win32 meanings:
 * binary file descriptors, 64-bit sizes, nanosecond times and file identities (volume
 * serial and file index) in `struct stat`, rename through MoveFileExW with
 * MOVEFILE_REPLACE_EXISTING, FlushFileBuffers for fsync, BCryptGenRandom for
 * getrandom, the .zcpackignore matcher for fnmatch. Those names are macros there, so
 * a source file includes this header after its system headers (zc_packer_sys.h does
 * it for every file that reaches the system-call table).
 *
 * Internal to the packer (zc__ prefix for what it adds).
 */
#ifndef ZC_PACKER_OS_H
#define ZC_PACKER_OS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifdef _WIN32
#include "zc_packer_os_win32.h"
#else
#include <fnmatch.h>
#include <sys/random.h>
#include <sys/socket.h>
#endif

#endif /* ZC_PACKER_OS_H */
