/* lmat.h - internal to the mat binding: the method tables that
 * lmat_ops.c contributes to the Matrix class and the mat module. */
#ifndef LMAT_H
#define LMAT_H
#include "lmlsh.h"

extern const mlsh_Reg lmat_op_methods[];   /* algebra and statistics methods */
extern const mlsh_Reg lmat_op_funcs[];     /* mat.* functions defined with them */

#endif
