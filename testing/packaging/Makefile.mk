# Consumers of an installed comex-mt: a pkg-config build and a CMake build of
# testing/packaging/consumer.c, run on 2 ranks (testing/packaging/consumers.sh).
TESTS += testing/packaging/consumers.sh
EXTRA_DIST += testing/packaging/consumers.sh testing/packaging/consumer.c \
  testing/packaging/CMakeLists.txt
