/* zc_cli_guard_win32.c - zc_cli.h's guard of mapped packs, in zcpack.exe.
 *
 * On Linux (zc_cli_guard.c) a pack that another program truncates while zcpack has it
 * mapped raises SIGBUS, which the guard turns into an error naming the pack. Windows
 * refuses to shrink a file while a view of it is mapped (SetEndOfFile fails with
 * ERROR_USER_MAPPED_FILE), so that fault cannot happen here and the guard only runs
 * the command. A device error behind a mapped page (EXCEPTION_IN_PAGE_ERROR) is not
 * caught: it ends the process as any unhandled exception does.
 */
#include "zc_cli.h"

int zc__guard_call(const char *command, int (*body)(void *arg), void *arg) {
    (void)command;
    return body(arg);
}

void zc__guard_track(const char *path, const zc_pack *pack) {
    (void)path;
    (void)pack;
}

int zc__guard_bad_address(const char *command) {
    zc__error("%s: a mapped pack could not be read (the device failed)", command);
    if (!zc__cli.errors_logged++)
        snprintf(zc__cli.first_error, sizeof zc__cli.first_error, "a mapped pack could not be read");
    return ZC_EXIT_CORRUPT;
}
