/* interrupt.h - the Ctrl-C flag. The shell's SIGINT handler sets it; long
 * C loops poll mlsh_interrupted() and return MLSH_EINTR, which the binding
 * layer turns into the Lua error "interrupted". */
#ifndef MLSH_INTERRUPT_H
#define MLSH_INTERRUPT_H
#include <signal.h>

extern volatile sig_atomic_t mlsh_interrupt_flag;

static inline int mlsh_interrupted(void) { return mlsh_interrupt_flag != 0; }
void mlsh_interrupt_raise(void);
void mlsh_interrupt_clear(void);

#endif
