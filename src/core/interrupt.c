/* interrupt.c - the process-wide interrupt flag. */
#include "interrupt.h"

volatile sig_atomic_t mlsh_interrupt_flag = 0;

void mlsh_interrupt_raise(void) { mlsh_interrupt_flag = 1; }
void mlsh_interrupt_clear(void) { mlsh_interrupt_flag = 0; }
