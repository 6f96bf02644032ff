# What `cmake --install <build dir> [--prefix P]` puts where, in the GNU
# layout under the prefix (default /usr/local):
#   bin/                       dataloader, datasummarizer, codetest-nightly
#   share/codetest/            schema.sql, schema-spider-head.sql, schema-spider-node.sql
#   share/codetest/examples/   crontab.example and everything under examples/
# The tools need no installed file at run time (the schema is embedded); the
# SQL files and examples are there for the operator.
include(GNUInstallDirs)

# "codetest" is the name the images, the database and the crontab use.
set(PIPELINE_INSTALL_DATADIR "${CMAKE_INSTALL_DATADIR}/codetest"
  CACHE STRING "Where the schemas and examples go, relative to the prefix")

install(TARGETS dataloader datasummarizer RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES schema.sql schema-spider-head.sql schema-spider-node.sql
  DESTINATION ${PIPELINE_INSTALL_DATADIR})
install(FILES images/cron/crontab.example DESTINATION ${PIPELINE_INSTALL_DATADIR}/examples)
install(PROGRAMS scripts/nightly DESTINATION ${CMAKE_INSTALL_BINDIR} RENAME codetest-nightly)
install(DIRECTORY examples/ DESTINATION ${PIPELINE_INSTALL_DATADIR}/examples)
