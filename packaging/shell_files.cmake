# The man page and the shell completions, printed by the freshly built
# `accel __generate <kind>` from its own command line (cli/command_docs.hpp),
# so they document and complete exactly the flags that binary parses.
set(accel_shell_files_dir ${CMAKE_CURRENT_BINARY_DIR}/shell_files)
set(accel_shell_files
  ${accel_shell_files_dir}/accel.1
  ${accel_shell_files_dir}/accel.bash
  ${accel_shell_files_dir}/_accel
  ${accel_shell_files_dir}/accel.fish)
add_custom_command(OUTPUT ${accel_shell_files}
  COMMAND ${CMAKE_COMMAND} -DACCEL=$<TARGET_FILE:accel> -DOUTPUT_DIR=${accel_shell_files_dir}
    -P ${CMAKE_CURRENT_SOURCE_DIR}/generate_shell_files.cmake
  DEPENDS accel ${CMAKE_CURRENT_SOURCE_DIR}/generate_shell_files.cmake
  COMMENT "Writing accel's man page and shell completions from its command line"
  VERBATIM)
add_custom_target(accel_shell_files ALL DEPENDS ${accel_shell_files})

install(FILES ${accel_shell_files_dir}/accel.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${accel_shell_files_dir}/accel.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME accel)
install(FILES ${accel_shell_files_dir}/_accel
  DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/site-functions)
install(FILES ${accel_shell_files_dir}/accel.fish
  DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
