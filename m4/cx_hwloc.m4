# CX_HWLOC: hwloc through pkg-config (libhwloc-dev).
AC_DEFUN([CX_HWLOC], [
  PKG_CHECK_MODULES([HWLOC], [hwloc >= 2.0],
    [cx_hwloc_version=`$PKG_CONFIG --modversion hwloc`],
    [AC_MSG_ERROR([hwloc >= 2.0 not found through pkg-config: install libhwloc-dev])])
])
