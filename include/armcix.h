/*
 * armcix.h -- ARMCI-MPI's extension header, for programs written for
 * ARMCI-MPI that include it.  Every extension (ARMCIX_Group_split/_dup,
 * mutex handles, access modes, ARMCIX_Progress) is declared in armci.h;
 * this header only brings that in.  See doc/armci.md.
 */
#ifndef ARMCIX_H_
#define ARMCIX_H_

#include "armci.h"

#endif /* ARMCIX_H_ */
