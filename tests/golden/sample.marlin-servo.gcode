; strokebot VERSION, profile marlin-servo (bundled): Marlin plotter with a pen
; servo: M400 then M280 P0 S<angle>
; page 60 x 20 mm, Y up: flipped against the page height, pen width 1.5 mm
; 3 strokes, 14 points (simplified from 14, tolerance 0.75 mm)
; pen-down length 82.8 mm, pen-up travel 19.7 mm
; estimated plot time 5.2 s, the whole program from X0 Y0 Z0 (feed 3000 mm/min,
; travel 6000 mm/min); it assumes Marlin M203 X100 Y100 mm/s, M201 X500 Y500
; mm/s^2 (see yours with M503): a machine set slower plots slower
; M280 does not wait for moves to finish, hence the M400 before every one.
G90
M400
M280 P0 S70
G4 P150
G0 X21.000 Y10.000 F6000
M400
M280 P0 S30
G4 P150
G1 X19.243 Y5.050 F3000
G1 X15.000 Y3.000
G1 X10.757 Y5.050
G1 X9.000 Y10.000
G1 X10.757 Y14.950
G1 X15.000 Y17.000
G1 X19.243 Y14.950
G1 X21.000 Y10.000
M400
M280 P0 S70
G4 P150
G0 X35.000 Y17.000 F6000
M400
M280 P0 S30
G4 P150
G1 X38.000 Y3.000 F3000
G1 X41.000 Y17.000
G1 X44.000 Y3.000
M400
M280 P0 S70
G4 P150
G0 X47.500 Y5.000 F6000
M400
M280 P0 S30
G4 P150
M400
M280 P0 S70
G4 P150
G0 X0 Y0 F6000
M400
M84
