# CX_SANITIZERS: --enable-sanitize=thread|address,undefined builds everything
# (library, tests, benchmarks) with the given -fsanitize list.
AC_DEFUN([CX_SANITIZERS], [
  AC_ARG_ENABLE([sanitize],
    [AS_HELP_STRING([--enable-sanitize=LIST], [build with -fsanitize=LIST (thread, or address,undefined)])],
    [cx_sanitize="$enableval"], [cx_sanitize=""])
  AS_IF([test "x$cx_sanitize" = xno || test "x$cx_sanitize" = xyes], [cx_sanitize=""])
  AS_IF([test -n "$cx_sanitize"], [
    CFLAGS="$CFLAGS -fsanitize=$cx_sanitize -fno-omit-frame-pointer -g"
    CXXFLAGS="$CXXFLAGS -fsanitize=$cx_sanitize -fno-omit-frame-pointer -g"
    LDFLAGS="$LDFLAGS -fsanitize=$cx_sanitize"])
])
