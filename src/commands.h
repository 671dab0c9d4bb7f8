/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The commands; each takes argv from its own name on (cmd_trace, the
 * default, the whole of it) and returns the exit status.
 */
#ifndef NSTRACE_COMMANDS_H
#define NSTRACE_COMMANDS_H

int cmd_trace(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_profile(int argc, char **argv);

#endif
